package io.jwtproxy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The packages by concern, as jdeps sees the compiled classes: dependencies run one way, the token package needs no servlet, the root holds the servlets. */
class LayoutTest
{
    /** Every dependency between this product's packages, and from each to the world: package -> packages it uses. */
    private static Map<String, Set<String>> dependencies()
    {
        StringWriter out = new StringWriter();
        int exit = ToolProvider.findFirst("jdeps").orElseThrow()
            .run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none", "target/classes");
        assertThat(exit).as("jdeps: %s", out).isZero();
        Map<String, Set<String>> uses = new HashMap<>();
        for (String line : out.toString().lines().toList())
        {
            // "   io.jwtproxy.config    -> io.jwtproxy.token    classes"
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 3 && parts[1].equals("->") && parts[0].startsWith("io.jwtproxy"))
                uses.computeIfAbsent(parts[0], p -> new TreeSet<>()).add(parts[2]);
        }
        return uses;
    }

    @Test
    void packagesDependOnEachOtherOneWay()
    {
        Map<String, Set<String>> uses = dependencies();

        assertThat(uses.keySet()).as("packages under io.jwtproxy").hasSizeGreaterThanOrEqualTo(4);
        for (String start : uses.keySet())
            assertThat(cycleFrom(start, start, uses, new HashSet<>())).as("a cycle through %s", start).isEmpty();
    }

    @Test
    void tokensAndTlsFilesAreReadWithoutServletsAndTheEmbeddedServerIsNeededByNothingElse()
    {
        Map<String, Set<String>> uses = dependencies();

        assertThat(uses.get("io.jwtproxy.token")).noneMatch(p -> p.startsWith("jakarta.servlet") || p.startsWith("org.eclipse.jetty"))
            .noneMatch(p -> p.startsWith("io.jwtproxy.") && !p.equals("io.jwtproxy.token") && !p.equals("io.jwtproxy.pem")
                && !p.equals("io.jwtproxy.background"));
        // PEM files, background threads and TLS material: the JDK (and a logger), nothing of the product but PEM and background threads.
        assertThat(uses.get("io.jwtproxy.pem")).allMatch(p -> p.startsWith("java.") || p.equals("io.jwtproxy.pem"));
        assertThat(uses.get("io.jwtproxy.background")).allMatch(p -> p.startsWith("java.") || p.equals("io.jwtproxy.background"));
        assertThat(uses.get("io.jwtproxy.tls")).allMatch(p -> p.startsWith("java.") || p.startsWith("javax.") || p.equals("org.slf4j")
            || p.equals("io.jwtproxy.pem") || p.equals("io.jwtproxy.background") || p.equals("io.jwtproxy.tls"));
        uses.forEach((from, to) ->
        {
            // The core engine runs in the jar only: on Jetty's server, used by nothing but the embedded server.
            if (!from.equals("io.jwtproxy.embedded") && !from.equals("io.jwtproxy.core"))
                assertThat(to).as("%s, which the WAR carries", from).doesNotContain("io.jwtproxy.embedded", "io.jwtproxy.core", "org.eclipse.jetty.server");
        });
    }

    @Test
    void theRootPackageHoldsTheServletsAndNoSourceFileIsOver400Lines() throws IOException
    {
        Path main = Path.of("src/main/java/io/jwtproxy");
        try (Stream<Path> root = Files.list(main))
        {
            List<String> classes = root.map(file -> file.getFileName().toString())
                .filter(name -> name.endsWith(".java") && !name.equals("package-info.java")).sorted().toList();
            assertThat(classes).as("classes in io.jwtproxy").hasSizeLessThanOrEqualTo(6)
                .contains("JwtProxyServlet.java", "AdminServlet.java", "BootListener.java");
        }
        try (Stream<Path> files = Files.walk(main))
        {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList())
                assertThat(Files.readAllLines(file)).as("lines of %s", file).hasSizeLessThanOrEqualTo(400);
        }
    }

    private static List<String> cycleFrom(String start, String at, Map<String, Set<String>> uses, Set<String> seen)
    {
        for (String next : uses.getOrDefault(at, Set.of()))
        {
            if (!next.startsWith("io.jwtproxy") || next.equals(at))
                continue;
            if (next.equals(start))
                return List.of(at, next);
            if (seen.add(next))
            {
                List<String> rest = cycleFrom(start, next, uses, seen);
                if (!rest.isEmpty())
                    return rest;
            }
        }
        return List.of();
    }
}
