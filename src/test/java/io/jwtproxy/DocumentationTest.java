package io.jwtproxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.jwtproxy.config.Setting;
import io.jwtproxy.testing.GeneratedPage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operators read says what the code does: docs/settings.md is generated from {@link Setting}, the
 * README stays a front door, every link between the pages resolves, and jetty-base's descriptor passes
 * every setting.
 */
class DocumentationTest
{
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)\\s]*)?\\)");

    @Test
    void settingsReferenceIsGeneratedFromTheSettingsThemselves() throws IOException
    {
        GeneratedPage.check(Path.of("docs/settings.md"), settingsReference());
    }

    @Test
    void readmeIsAFrontDoorOfAtMost300Lines() throws IOException
    {
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        assertThat(readme).as("README.md's lines").hasSizeLessThanOrEqualTo(300);
        assertThat(String.join("\n", readme)).contains("docs/settings.md", "docs/deployment.md", "docs/tokens.md");
    }

    @Test
    void everyRelativeLinkOfTheReadmeAndTheDocsResolves() throws IOException
    {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        for (String folder : List.of("docs", "bench"))
        {
            try (Stream<Path> files = Files.walk(Path.of(folder)))
            {
                files.filter(file -> file.toString().endsWith(".md")).forEach(pages::add);
            }
        }
        List<String> broken = new ArrayList<>();
        for (Path page : pages)
        {
            Matcher link = LINK.matcher(Files.readString(page));
            while (link.find())
            {
                String target = link.group(1);
                if (target.contains("://") || target.startsWith("mailto:"))
                    continue;
                Path resolved = page.toAbsolutePath().getParent().resolve(target).normalize();
                if (!Files.exists(resolved))
                    broken.add(page + " -> " + target);
            }
        }
        assertThat(pages).as("pages under docs/").hasSizeGreaterThanOrEqualTo(8);
        assertThat(broken).as("links to files that do not exist").isEmpty();
    }

    @Test
    void jettyBasesDescriptorPassesEverySettingTheWarReadsButTheSecret() throws IOException
    {
        String descriptor = Files.readString(Path.of("jetty-base/webapps/jwt-proxy.xml"));
        Matcher passed = Pattern.compile("<Call name=\"setInitParameter\"><Arg>([A-Z_]+)</Arg><Arg><Property name=\"([A-Z_]+)\" default=\"\"/></Arg></Call>")
            .matcher(descriptor);
        List<String> names = new ArrayList<>();
        while (passed.find())
        {
            assertThat(passed.group(2)).as("the Jetty property of the same name").isEqualTo(passed.group(1));
            names.add(passed.group(1));
        }

        List<String> expected = Arrays.stream(Setting.values())
            .filter(setting -> setting.scope() == Setting.Scope.EVERY_DEPLOYMENT && !setting.secret()).map(Setting::name).toList();
        assertThat(names.stream().filter(name -> !name.startsWith("OTEL_"))).as("settings start.d can give the WAR").containsExactlyElementsOf(expected);
        assertThat(names).as("and the OpenTelemetry SDK's, from the endpoint that turns traces on").contains("OTEL_EXPORTER_OTLP_ENDPOINT");
    }

    /** docs/settings.md: every setting by topic, with its kind of value, default, scope and meaning; then the servlet's init-params. */
    static String settingsReference()
    {
        StringBuilder page = new StringBuilder();
        page.append(GeneratedPage.header("Settings reference", "io.jwtproxy.config.Setting", "DocumentationTest"));
        page.append("""
            Each setting is read, in this order of precedence, from a JVM system property (`-DUPSTREAM_URL=…`), an
            environment variable, or a servlet context parameter of the same name (WAR only), else its default.
            Everything is validated once at start-up; a bad value stops start-up with one line naming every bad
            setting, for example
            `jwt-proxy: invalid configuration: UPSTREAM_URL: "ftp://files" is not an absolute http(s) URL; JWT_SECRET: is 16 bytes; HS512 needs at least 64 (RFC 7518 §3.2)`
            (exit status 2 for the jar; a failed deployment for the WAR). Secrets are never logged.

            *jar* marks what only the executable jar reads; a WAR leaves that to its container.

            """);
        for (Setting.Topic topic : Setting.Topic.values())
        {
            page.append("## ").append(topic.title()).append("\n\nExplained in [").append(topic.page()).append("](").append(topic.page()).append(").\n\n");
            page.append("| Setting | Value | Default | Meaning |\n|---|---|---|---|\n");
            for (Setting setting : Setting.values())
            {
                if (setting.topic() != topic)
                    continue;
                page.append("| `").append(setting.name()).append('`').append(setting.scope() == Setting.Scope.JAR ? " *jar*" : "")
                    .append(" | ").append(setting.kind().documented())
                    .append(" | ").append(setting.defaultValue() == null ? "none" : "`" + setting.defaultValue() + "`")
                    .append(" | ").append(setting.description()).append(" |\n");
            }
            page.append('\n');
        }
        page.append("""
            ## Jetty's proxy servlet

            The WAR's `JwtProxyServlet` is Jetty's `AsyncProxyServlet`; `ProxyServletParameters` sets some of its
            init-params differently, and an `<init-param>` in `web.xml` overrides any of them:

            | init-param | jwt-proxy's default |
            |---|---|
            """);
        new java.util.TreeMap<>(ProxyServletParameters.DEFAULTS).forEach((name, value) -> page.append("| `").append(name).append("` | `").append(value).append("` |\n"));
        return page.toString();
    }
}
