package io.gpubroker.session.service;

import io.gpubroker.session.domain.LaunchMode;
import io.gpubroker.session.domain.Requirements;
import io.gpubroker.session.domain.RetryScope;
import io.gpubroker.session.domain.StoragePolicy;
import java.util.List;

/** A create request that passed its field checks, typed; null means "the default". */
public record NewSession(
        String consumerId,
        String offerId,
        Requirements requirements,
        String workloadType,
        int reservationHours,
        Integer idleThresholdMinutes,
        StoragePolicy storagePolicy,
        LaunchMode launchMode,
        String dockerImage,
        String modelId,
        List<Integer> exposedPorts,
        String quantization,
        Integer diskGb,
        String templateHashId,
        Boolean autoRetry,
        Integer maxRetries,
        RetryScope retryScope) {}
