package dev.tokenmetrics.receiver;

import org.testcontainers.DockerClientFactory;

/** Whether Testcontainers reaches a container engine (none runs on the project's CI machines). */
final class ContainerEngine {

    private ContainerEngine() {
    }

    static boolean available() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
