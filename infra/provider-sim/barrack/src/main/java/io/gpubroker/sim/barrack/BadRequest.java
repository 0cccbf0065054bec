package io.gpubroker.sim.barrack;

/** A request the provider refuses; turned into Barrack's error envelope where the route is registered. */
final class BadRequest extends RuntimeException {

    final int status;
    final String code;

    BadRequest(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    BadRequest(String message) {
        this(400, "validation_error", message);
    }
}
