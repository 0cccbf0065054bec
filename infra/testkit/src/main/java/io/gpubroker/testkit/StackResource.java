package io.gpubroker.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a {@code @QuarkusTest} service at the real {@link TestStack} (no Dev Services). */
public class StackResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return TestStack.get().quarkusConfig();
    }

    @Override
    public void stop() {
        // the stack outlives one service's tests; its owner stops it
    }
}
