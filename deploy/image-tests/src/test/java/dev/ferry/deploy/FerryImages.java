package dev.ferry.deploy;

import java.nio.file.Path;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The images of deploy/docker/, built from their Dockerfiles as a user builds them: the relay's and
 * the agent's with the shaded jar as the build context, vsftpd's from its directory. The base image
 * is the build argument BASE_IMAGE ({@code local/debian-jre:17}, made by deploy/ci/docker.sh, since
 * no registry is reachable here). Images are kept (tagged {@code ferry-test/...:it}) so that Docker's
 * layer cache makes the next build quick.
 */
final class FerryImages {
    private final String base;
    private String relay;
    private String agent;
    private String vsftpd;

    FerryImages(String base) {
        this.base = base;
    }

    static FerryImages fromSystemProperties() {
        return new FerryImages(System.getProperty("ferry.image.base", "local/debian-jre:17"));
    }

    synchronized String relay() {
        if (relay == null) {
            relay = program("relay", DeployFiles.jar("ferry.relay.jar"), "ferry-relay.jar");
        }
        return relay;
    }

    synchronized String agent() {
        if (agent == null) {
            agent = program("agent", DeployFiles.jar("ferry.agent.jar"), "ferry-agent.jar");
        }
        return agent;
    }

    /** vsftpd from Debian on the same base; its build runs apt-get, so it uses the host's network. */
    synchronized String vsftpd() {
        if (vsftpd == null) {
            Path dir = DeployFiles.docker("vsftpd");
            vsftpd = new ImageFromDockerfile("ferry-test/vsftpd:it", false)
                    .withFileFromPath("Dockerfile", dir.resolve("Dockerfile"))
                    .withFileFromPath("vsftpd.conf", dir.resolve("vsftpd.conf"))
                    .withBuildArg("BASE_IMAGE", base)
                    .withBuildImageCmdModifier(cmd -> cmd.withNetworkMode("host"))
                    .get();
        }
        return vsftpd;
    }

    private String program(String name, Path jar, String jarName) {
        return new ImageFromDockerfile("ferry-test/" + name + ":it", false)
                .withFileFromPath("Dockerfile", DeployFiles.docker(name + "/Dockerfile"))
                .withFileFromPath(jarName, jar)
                .withBuildArg("BASE_IMAGE", base)
                .get();
    }
}
