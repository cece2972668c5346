package io.jwtproxy.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.jwtproxy.testing.Settings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What docs/settings.md says a setting takes ({@link ValueKind}) is what the loaders accept: one table of
 * every integer and every choice setting, each value at and past its bounds.
 */
class ValueKindTest
{
    /** What a setting needs beside it to be read at all. */
    private static final Map<Setting, Settings> CONTEXT = Map.of(
        Setting.FORWARD_AUTH_GATEWAY, Settings.of(Setting.FORWARD_AUTH, true).with(Setting.ADMIN_PORT, 0),
        Setting.AUTH_BASIC_MAX_FAILURES, Settings.of(Setting.AUTH, "basic"));

    static Stream<Arguments> valuesAtAndPastTheBounds()
    {
        List<Arguments> cases = new ArrayList<>();
        for (Setting setting : Setting.values())
        {
            ValueKind kind = setting.kind();
            if (kind.type() == ValueKind.Type.INTEGER)
            {
                cases.add(Arguments.of(setting, String.valueOf(kind.min()), true));
                cases.add(Arguments.of(setting, String.valueOf(kind.max()), true));
                cases.add(Arguments.of(setting, String.valueOf(kind.min() - 1), false));
                cases.add(Arguments.of(setting, String.valueOf(kind.max() + 1), false));
            }
            else if (kind.type() == ValueKind.Type.CHOICE)
            {
                kind.choices().forEach(choice -> cases.add(Arguments.of(setting, choice, true)));
                cases.add(Arguments.of(setting, "bogus", false));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}={1}: accepted {2}")
    @MethodSource("valuesAtAndPastTheBounds")
    void theLoadersAcceptExactlyWhatTheKindSays(Setting setting, String value, boolean accepted)
    {
        Settings settings = CONTEXT.getOrDefault(setting, Settings.none()).with(setting, value);
        String refusal = setting + ": \"" + value + "\"";
        String problems;
        try
        {
            SettingsTest.embedded(settings.pairs());
            problems = "";
        }
        catch (ConfigException x)
        {
            problems = x.getMessage();
        }
        if (accepted)
            assertThat(problems).as("%s=%s, which docs/settings.md allows (%s)", setting, value, setting.kind().documented()).doesNotContain(refusal);
        else
            assertThat(problems).as("%s=%s, outside %s", setting, value, setting.kind().documented()).contains(refusal);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("durations")
    void aDurationIsZeroOnlyWhereTheKindSaysSo(Setting setting)
    {
        String problems;
        try
        {
            SettingsTest.embedded(Settings.of(setting, "0s").pairs());
            problems = "";
        }
        catch (ConfigException x)
        {
            problems = x.getMessage();
        }
        String refusal = setting + ": \"0s\" is not a positive duration";
        if (setting.kind().min() == 0)
            assertThat(problems).doesNotContain(refusal);
        else
            assertThat(problems).contains(refusal);
    }

    static Stream<Setting> durations()
    {
        return Arrays.stream(Setting.values()).filter(setting -> setting.kind().type() == ValueKind.Type.DURATION);
    }
}
