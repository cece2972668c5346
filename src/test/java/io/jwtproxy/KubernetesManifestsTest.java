package io.jwtproxy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

import io.jwtproxy.admin.AdminEndpoints;
import io.jwtproxy.config.ConfigSource;
import io.jwtproxy.config.ServerConfig;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kubernetes/, parsed strictly into the Kubernetes API's model (fabric8): a field the API does
 * not have fails, as {@code kubectl apply --validate=strict} would. What the files say is checked
 * against what the proxy reads: the probes' paths and ports, the drain against the grace period, the
 * memory limit against the heap. No cluster runs here.
 */
class KubernetesManifestsTest
{
    private static final Path DIRECTORY = Path.of("deploy/kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of("Deployment", Deployment.class, "Service", Service.class,
        "PodDisruptionBudget", PodDisruptionBudget.class, "NetworkPolicy", NetworkPolicy.class);

    @Test
    void everyManifestParsesStrictlyIntoTheKubernetesModel() throws Exception
    {
        List<HasMetadata> resources = resources();

        assertThat(resources).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy");
        for (HasMetadata resource : resources)
            assertThat(unknownFields(resource, resource.getKind(), new IdentityHashMap<>())).as("fields the API does not have").isEmpty();
    }

    @Test
    void theDeploymentsProbesPortsAndDrainAreTheProxysOwnSettings() throws Exception
    {
        Deployment deployment = only(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        Map<String, String> env = new HashMap<>();
        for (EnvVar variable : container.getEnv())
            env.put(variable.getName(), variable.getValue());
        ServerConfig server = ServerConfig.load(ConfigSource.of(env));
        Map<String, Integer> ports = new HashMap<>();
        for (ContainerPort port : container.getPorts())
            ports.put(port.getName(), port.getContainerPort());

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(ports).containsEntry("http", server.port()).containsEntry("admin", server.admin().port());
        assertThat(server.admin().host()).as("the admin listener reachable by the kubelet").isEqualTo("0.0.0.0");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz").isIn(AdminEndpoints.PATHS);
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz").isIn(AdminEndpoints.PATHS);
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
        Duration grace = Duration.ofSeconds(pod.getTerminationGracePeriodSeconds());
        assertThat(grace).as("the grace period outlasts the delay and the drain").isGreaterThan(server.shutdownDelay().plus(server.shutdownDrain()));
        assertThat(Duration.ofSeconds(container.getReadinessProbe().getPeriodSeconds() * container.getReadinessProbe().getFailureThreshold()))
            .as("readiness lost within the delay").isLessThan(server.shutdownDelay());

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");

        int heapMiB = Integer.parseInt(container.getCommand().stream().filter(option -> option.startsWith("-Xmx")).findFirst().orElseThrow()
            .replaceAll("\\D", ""));
        long limit = Quantity.getAmountInBytes(container.getResources().getLimits().get("memory")).longValue();
        long request = Quantity.getAmountInBytes(container.getResources().getRequests().get("memory")).longValue();
        assertThat(request).as("memory request: the heap and what the JVM needs beside it").isGreaterThanOrEqualTo(2L * heapMiB << 20);
        assertThat(limit).isGreaterThanOrEqualTo(request);

        String keys = env.get("JWT_KEYS_DIR");
        assertThat(container.getVolumeMounts()).anySatisfy(mount ->
        {
            assertThat(mount.getMountPath()).isEqualTo(keys);
            assertThat(mount.getReadOnly()).isTrue();
            assertThat(pod.getVolumes()).anySatisfy(volume ->
            {
                assertThat(volume.getName()).isEqualTo(mount.getName());
                assertThat(volume.getSecret().getSecretName()).isEqualTo("jwt-proxy-keys");
            });
        });
        Map<String, String> scrape = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(scrape).containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", Integer.toString(server.admin().port()))
            .containsEntry("prometheus.io/path", "/metrics");
    }

    @Test
    void theServiceBudgetAndPolicySelectTheDeploymentsPodsAndAdmitTheAdminPortFromMonitoringOnly() throws Exception
    {
        Map<String, String> labels = only(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
        Service service = only(Service.class);
        PodDisruptionBudget budget = only(PodDisruptionBudget.class);
        NetworkPolicy policy = only(NetworkPolicy.class);

        assertThat(labels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).extracting(port -> port.getTargetPort().getStrVal()).containsExactly("http");
        assertThat(labels).containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        assertThat(labels).containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
        List<NetworkPolicyIngressRule> admin = policy.getSpec().getIngress().stream()
            .filter(rule -> rule.getPorts().stream().anyMatch(port -> "admin".equals(port.getPort().getStrVal()))).toList();
        assertThat(admin).hasSize(1);
        assertThat(admin.get(0).getFrom()).singleElement().satisfies(peer ->
            assertThat(peer.getNamespaceSelector().getMatchLabels()).containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring")));
    }

    private static <T extends HasMetadata> T only(Class<T> type) throws IOException
    {
        return resources().stream().filter(type::isInstance).map(type::cast).reduce((a, b) -> { throw new AssertionError("two " + type); })
            .orElseThrow();
    }

    private static List<HasMetadata> resources() throws IOException
    {
        List<HasMetadata> resources = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIRECTORY))
        {
            for (Path file : files.filter(name -> name.toString().endsWith(".yaml")).sorted().toList())
            {
                for (JsonNode document : YAML.readValues(YAML.getFactory().createParser(file.toFile()), JsonNode.class).readAll())
                {
                    Class<? extends HasMetadata> type = KINDS.get(document.path("kind").asText());
                    assertThat(type).as("kind of a document in %s", file).isNotNull();
                    resources.add(YAML.treeToValue(document, type));
                }
            }
        }
        return resources;
    }

    /**
     * The model keeps a field it does not know in {@code additionalProperties} instead of failing: each
     * non-empty one, anywhere in the tree, is such a field.
     */
    private static List<String> unknownFields(Object node, String path, Map<Object, Boolean> seen) throws Exception
    {
        List<String> unknown = new ArrayList<>();
        if (node == null || seen.put(node, Boolean.TRUE) != null)
            return unknown;
        if (node instanceof Collection<?> items)
        {
            int i = 0;
            for (Object item : items)
                unknown.addAll(unknownFields(item, path + "[" + i++ + "]", seen));
            return unknown;
        }
        if (node instanceof Map<?, ?> entries)
        {
            for (Map.Entry<?, ?> entry : entries.entrySet())
                unknown.addAll(unknownFields(entry.getValue(), path + "." + entry.getKey(), seen));
            return unknown;
        }
        if (!node.getClass().getName().startsWith("io.fabric8."))
            return unknown;
        for (Method getter : node.getClass().getMethods())
        {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class)
                continue;
            Object value = getter.invoke(node);
            if (getter.getName().equals("getAdditionalProperties"))
            {
                if (value instanceof Map<?, ?> extra)
                    extra.keySet().forEach(name -> unknown.add(path + "." + name));
            }
            else
            {
                unknown.addAll(unknownFields(value, path + "." + getter.getName().substring(3), seen));
            }
        }
        return unknown;
    }
}
