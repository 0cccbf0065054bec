package io.gpubroker.gateway.auth;

/** Who is calling: the operator (admin key), one consumer (its API key), or nobody in anonymous local mode. */
public sealed interface Principal {

    /** The rate-limit bucket of this caller. */
    String bucket();

    /** The operator, authenticated by {@code broker.admin-key}. */
    record Admin() implements Principal {
        @Override
        public String bucket() {
            return "admin";
        }
    }

    /** A consumer acting through one of its keys; it sees only its own sessions and costs. */
    record Consumer(String consumerId, String keyId) implements Principal {
        @Override
        public String bucket() {
            return "key:" + keyId;
        }
    }

    /** No key in {@code broker.auth.anonymous=true} mode: the single-user local API of the reference document. */
    record Anonymous() implements Principal {
        @Override
        public String bucket() {
            return "anonymous";
        }
    }
}
