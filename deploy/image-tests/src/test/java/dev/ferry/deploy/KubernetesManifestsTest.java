package dev.ferry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes/: Debian packages no Kubernetes schema validator that works without a cluster,
 * so the manifests are parsed here: the fields the API server requires, selectors that match their
 * pod labels, and the relay's flags agreeing with its ports, probes, volumes and image.
 */
class KubernetesManifestsTest {
    private static final int DRAIN_TIMEOUT_SECONDS = 30;

    @Test
    void everyDocumentHasWhatTheApiServerRequires() throws Exception {
        for (String file : List.of("relay-daemonset.yaml", "agent-deployment.yaml")) {
            for (YamlTree doc : YamlTree.readAll(DeployFiles.kubernetes(file))) {
                assertThat(doc.string("apiVersion")).as(doc.toString()).isIn("v1", "apps/v1");
                assertThat(doc.string("kind")).as(doc.toString()).isIn("Namespace", "DaemonSet", "Deployment");
                assertThat(doc.string("metadata.name")).as(doc.toString()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
                if (!doc.string("kind").equals("Namespace")) {
                    assertThat(doc.string("apiVersion")).isEqualTo("apps/v1");
                    assertThat(doc.string("metadata.namespace")).isEqualTo("ferry");
                    assertThat(doc.map("spec.template.metadata.labels"))
                            .as(doc + ": the selector selects the pod template").containsAllEntriesOf(
                                    doc.map("spec.selector.matchLabels"));
                    assertThat(doc.list("spec.template.spec.containers")).isNotEmpty();
                    for (YamlTree c : doc.trees("spec.template.spec.containers")) {
                        assertThat(c.string("name")).isNotBlank();
                        assertThat(c.string("image")).isNotBlank();
                    }
                    assertThat(((Number) doc.get("spec.template.spec.terminationGracePeriodSeconds")).intValue())
                            .as(doc + ": longer than the drain").isGreaterThan(DRAIN_TIMEOUT_SECONDS);
                }
            }
        }
    }

    @Test
    void theRelayRunsOnTheNodesOwnNetworkWithItsFlagsMatchingItsPorts() throws Exception {
        YamlTree ds = document("relay-daemonset.yaml", "DaemonSet");
        YamlTree pod = ds.at("spec.template.spec");
        assertThat(pod.get("hostNetwork")).isEqualTo(true);
        assertThat(pod.string("dnsPolicy")).isEqualTo("ClusterFirstWithHostNet");
        YamlTree relay = pod.trees("containers").get(0);
        FlagValues flags = new FlagValues(relay.strings("args"), "relay args");
        assertThat(relay.strings("args").get(0)).isEqualTo("serve");
        Map<String, Integer> ports = new java.util.HashMap<>();
        for (YamlTree p : relay.trees("ports")) {
            int port = ((Number) p.get("containerPort")).intValue();
            assertThat(((Number) p.get("hostPort")).intValue()).as("hostNetwork: hostPort = containerPort").isEqualTo(port);
            ports.put(p.string("name"), port);
        }
        assertThat(ports).containsEntry("ftp", flags.port("--ftp-listen"))
                .containsEntry("ftps", flags.port("--ftps-listen")).containsEntry("agent", flags.port("--agent-listen"));
        assertThat(ports.get("ftp")).isEqualTo(21);
        assertThat(ports.get("ftps")).isEqualTo(990);
        assertThat(((Number) relay.get("readinessProbe.tcpSocket.port")).intValue()).isEqualTo(ports.get("agent"));
        int[] passive = flags.range("--passive-ports");
        assertThat(passive[1] - passive[0] + 1).as("passive range size").isBetween(1, 1000);
        // The public address comes from the node and is substituted by Kubernetes ($(VAR) in args).
        assertThat(flags.value("--public-address")).isEqualTo("$(FERRY_PUBLIC_ADDRESS)");
        assertThat(relay.trees("env")).anySatisfy(e -> {
            assertThat(e.string("name")).isEqualTo("FERRY_PUBLIC_ADDRESS");
            assertThat(e.string("valueFrom.fieldRef.fieldPath")).isEqualTo("status.hostIP");
        });
        // The data dir is the hostPath volume, owned by the image's user (the init container chowns it).
        String dataDir = flags.value("--data-dir");
        String volume = relay.trees("volumeMounts").stream().filter(m -> m.string("mountPath").equals(dataDir))
                .findFirst().orElseThrow(() -> new AssertionError("no volume at " + dataDir)).string("name");
        assertThat(pod.trees("volumes")).anySatisfy(v -> {
            assertThat(v.string("name")).isEqualTo(volume);
            assertThat(v.string("hostPath.path")).isEqualTo("/var/lib/ferry-relay");
        });
        YamlTree init = pod.trees("initContainers").get(0);
        assertThat(init.strings("command")).containsExactly("chown", imageUser("relay") + ":" + imageUser("relay"), dataDir);
        assertThat(relay.strings("securityContext.capabilities.drop")).containsExactly("ALL");
        assertThat(relay.strings("securityContext.capabilities.add")).containsExactly("NET_BIND_SERVICE");
        assertThat(relay.get("securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(relay.string("image")).startsWith("ferry-relay:");
    }

    @Test
    void theAgentIsOneReplicaReadingItsArgumentsFromASecretAsTheImagesUser() throws Exception {
        YamlTree deployment = document("agent-deployment.yaml", "Deployment");
        assertThat(deployment.get("spec.replicas")).isEqualTo(1);
        assertThat(deployment.string("spec.strategy.type")).isEqualTo("Recreate");
        YamlTree pod = deployment.at("spec.template.spec");
        YamlTree agent = pod.trees("containers").get(0);
        assertThat(agent.strings("args")).containsExactly("@/etc/ferry/agent.args");
        assertThat(agent.trees("volumeMounts")).anySatisfy(m -> {
            assertThat(m.string("mountPath")).isEqualTo("/etc/ferry");
            assertThat(m.string("name")).isEqualTo("args");
        });
        assertThat(pod.trees("volumes")).anySatisfy(v -> {
            assertThat(v.string("name")).isEqualTo("args");
            assertThat(v.string("secret.secretName")).isEqualTo("ferry-agent");
            assertThat(v.string("secret.items[0].path")).isEqualTo("agent.args");
        });
        assertThat(pod.get("securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(String.valueOf(pod.get("securityContext.runAsUser"))).isEqualTo(imageUser("agent"));
        assertThat(agent.strings("securityContext.capabilities.drop")).containsExactly("ALL");
        assertThat(agent.string("image")).startsWith("ferry-agent:");
    }

    private static YamlTree document(String file, String kind) throws Exception {
        return YamlTree.readAll(DeployFiles.kubernetes(file)).stream().filter(d -> d.string("kind").equals(kind))
                .findFirst().orElseThrow(() -> new AssertionError(file + " has no " + kind));
    }

    /** The numeric user the image's Dockerfile runs as ({@code USER uid:gid}). */
    private static String imageUser(String image) throws Exception {
        Matcher m = Pattern.compile("(?m)^USER (\\d+):(\\d+)$")
                .matcher(Files.readString(DeployFiles.docker(image + "/Dockerfile")));
        assertThat(m.find()).as(image + "/Dockerfile has a numeric USER").isTrue();
        return m.group(1);
    }
}
