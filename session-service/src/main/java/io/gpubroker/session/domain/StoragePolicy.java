package io.gpubroker.session.domain;

/** What happens to the instance's disk when the session ends. Constant names are the stored and JSON values. */
public enum StoragePolicy {
    destroy,
    preserve
}
