package io.jwtproxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The README documents what the code does: its settings table is checked against {@link Setting}. */
class ReadmeTest
{
    @Test
    void settingsTableMatchesTheCode() throws Exception
    {
        String readme = Files.readString(Path.of("README.md"));
        Matcher row = Pattern.compile("^\\| `([A-Z_]+)` \\| (.+?) \\| (.+?) \\|$", Pattern.MULTILINE).matcher(readme);
        Map<String, String> documented = new LinkedHashMap<>();
        while (row.find())
            documented.put(row.group(1), row.group(2).equals("none") ? null : row.group(2).replace("`", ""));

        Map<String, String> actual = new LinkedHashMap<>();
        for (Setting setting : Setting.values())
            actual.put(setting.name(), setting.defaultValue());

        assertThat(documented).containsExactlyEntriesOf(actual);
    }

    @Test
    void proxyServletDefaultsTableMatchesTheCode() throws Exception
    {
        String readme = Files.readString(Path.of("README.md"));
        JwtProxyServlet.DEFAULT_INIT_PARAMETERS.forEach((name, value) ->
            assertThat(readme).as("README's init-param table gives %s=%s", name, value)
                .containsPattern("\\| `" + name + "` \\| `" + value + "`"));
    }
}
