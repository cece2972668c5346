package io.jwtproxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.jwtproxy.config.Setting;

import static org.assertj.core.api.Assertions.assertThat;

/** What operators read says what the code does: the README's tables and jetty-base's descriptor are held to {@link Setting}. */
class DocumentationTest
{
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z_]+)` \\| (.+?) \\| (.+?) \\|$", Pattern.MULTILINE);

    @Test
    void eachSettingsTableListsExactlyItsSettingsWithTheirDefaultsAndMeanings() throws Exception
    {
        String readme = Files.readString(Path.of("README.md"));
        String every = section(readme, "Read by every deployment", "Read by the executable jar only");
        String jar = section(readme, "Read by the executable jar only", "Durations are written");

        assertThat(rows(every)).containsExactlyEntriesOf(documented(Setting.Scope.EVERY_DEPLOYMENT));
        assertThat(rows(jar)).containsExactlyEntriesOf(documented(Setting.Scope.JAR));
    }

    @Test
    void jettyBasesDescriptorPassesEverySettingTheWarReadsButTheSecret() throws Exception
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
        assertThat(names).as("settings start.d can give the WAR").containsExactlyElementsOf(expected);
    }

    @Test
    void proxyServletDefaultsTableMatchesTheCode() throws Exception
    {
        String readme = Files.readString(Path.of("README.md"));
        ProxyServletParameters.DEFAULTS.forEach((name, value) ->
            assertThat(readme).as("README's init-param table gives %s=%s", name, value)
                .containsPattern("\\| `" + name + "` \\| `" + value + "`"));
    }

    private static String section(String text, String from, String to)
    {
        int start = text.indexOf(from);
        int end = text.indexOf(to, start);
        assertThat(start).as("README has \"%s\"", from).isNotNegative();
        assertThat(end).as("README has \"%s\" after \"%s\"", to, from).isGreaterThan(start);
        return text.substring(start, end);
    }

    /** name -> "default | meaning", as the table writes them */
    private static Map<String, String> rows(String table)
    {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher row = ROW.matcher(table);
        while (row.find())
            rows.put(row.group(1), row.group(2) + " | " + row.group(3));
        return rows;
    }

    private static Map<String, String> documented(Setting.Scope scope)
    {
        Map<String, String> rows = new LinkedHashMap<>();
        for (Setting setting : Setting.values())
        {
            if (setting.scope() == scope)
                rows.put(setting.name(), (setting.defaultValue() == null ? "none" : "`" + setting.defaultValue() + "`") + " | " + setting.description());
        }
        return rows;
    }
}
