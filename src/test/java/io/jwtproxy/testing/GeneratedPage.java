package io.jwtproxy.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page of docs/ generated from the code: the test that generates it fails while the page on disk is
 * stale, and with {@code -Ddocs.write=true} writes it instead.
 */
public final class GeneratedPage
{
    private GeneratedPage()
    {
    }

    /** @return the page's title and the line that says where it comes from */
    public static String header(String title, String source, String test)
    {
        return "# " + title + "\n\n<!-- Generated from " + source + " by " + test + "; do not edit. Regenerate with: mvn -q test -Dtest=" + test
            + " -Ddocs.write=true -->\n\n";
    }

    public static void check(Path page, String generated) throws IOException
    {
        if (Boolean.getBoolean("docs.write"))
            Files.writeString(page, generated);
        String onDisk = Files.exists(page) ? Files.readString(page) : "";
        assertThat(onDisk).as("%s is stale: regenerate it with -Ddocs.write=true (see its first line)", page).isEqualTo(generated);
    }
}
