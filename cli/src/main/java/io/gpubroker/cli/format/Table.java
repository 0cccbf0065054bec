package io.gpubroker.cli.format;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table: columns padded to their widest cell, numbers right-aligned, two spaces
 * between columns, no trailing blanks (so scripts can still {@code awk} it).
 */
public final class Table {
    private final List<String> headers = new ArrayList<>();
    private final List<Boolean> right = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();
    private final List<Integer> separatorsBefore = new ArrayList<>();

    /** A left-aligned column. */
    public Table col(String header) {
        headers.add(header);
        right.add(false);
        return this;
    }

    /** A right-aligned (numeric) column. */
    public Table num(String header) {
        headers.add(header);
        right.add(true);
        return this;
    }

    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row of " + cells.length + " cells in a table of " + headers.size());
        }
        List<String> r = new ArrayList<>(cells.length);
        for (Object c : cells) {
            r.add(c == null ? "-" : c.toString());
        }
        rows.add(r);
        return this;
    }

    /** A dashed line before the next row (above a total). */
    public Table separator() {
        separatorsBefore.add(rows.size());
        return this;
    }

    public int size() {
        return rows.size();
    }

    public String render() {
        int n = headers.size();
        int[] width = new int[n];
        for (int i = 0; i < n; i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, headers, width);
        for (int k = 0; k < rows.size(); k++) {
            if (separatorsBefore.contains(k)) {
                List<String> dashes = new ArrayList<>();
                for (int w : width) {
                    dashes.add("-".repeat(w));
                }
                line(sb, dashes, width);
            }
            line(sb, rows.get(k), width);
        }
        return sb.toString();
    }

    private void line(StringBuilder sb, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                l.append("  ");
            }
            String c = cells.get(i);
            String pad = " ".repeat(width[i] - c.length());
            l.append(right.get(i) ? pad + c : c + pad);
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
