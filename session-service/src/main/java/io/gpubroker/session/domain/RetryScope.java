package io.gpubroker.session.domain;

/**
 * Which offers an auto-retry may move a session to: the same GPU model, any GPU with the same
 * VRAM, or any GPU. Constant names are the stored and JSON values.
 */
public enum RetryScope {
    same_gpu,
    same_vram,
    any
}
