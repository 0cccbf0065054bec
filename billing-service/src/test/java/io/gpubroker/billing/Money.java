package io.gpubroker.billing;

import java.math.BigDecimal;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;

/** Matches a JSON number by exact decimal value: {@code 4}, {@code 4.0} and {@code 4.000} are the same money. */
final class Money extends TypeSafeMatcher<Number> {
    private final BigDecimal expected;

    private Money(BigDecimal expected) {
        this.expected = expected;
    }

    static Matcher<Number> money(String expected) {
        return new Money(new BigDecimal(expected));
    }

    @Override
    protected boolean matchesSafely(Number actual) {
        return new BigDecimal(actual.toString()).compareTo(expected) == 0;
    }

    @Override
    public void describeTo(Description d) {
        d.appendText("the amount " + expected.toPlainString());
    }
}
