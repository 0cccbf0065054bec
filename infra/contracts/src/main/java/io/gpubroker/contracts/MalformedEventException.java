package io.gpubroker.contracts;

/** A message that can never be processed (bad JSON, unknown type, missing field): dead-letter it. */
public class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
