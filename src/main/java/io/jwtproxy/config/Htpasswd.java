package io.jwtproxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An htpasswd file of bcrypt lines ({@code user:$2y$10$...}, as {@code htpasswd -B} writes them);
 * blank lines and {@code #} comments are skipped. Any other hash (MD5 {@code $apr1$}, {@code {SHA}},
 * crypt, plain text) is refused, naming its line: they are fast to guess.
 *
 * @param hashes user name -> bcrypt hash
 */
public record Htpasswd(Map<String, String> hashes)
{
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");

    /** @throws IllegalArgumentException naming the file or the line that is not a bcrypt line */
    public static Htpasswd load(Path file)
    {
        List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (IOException x)
        {
            throw new IllegalArgumentException("cannot read \"" + file + "\" (" + x.getClass().getSimpleName() + ")");
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++)
        {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#"))
                continue;
            int colon = line.indexOf(':');
            String where = "line " + (i + 1) + " of \"" + file + "\"";
            if (colon <= 0)
                throw new IllegalArgumentException(where + " is not user:hash");
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            if (!BCRYPT.matcher(hash).matches())
                throw new IllegalArgumentException(where + " (user " + user + ") is not a bcrypt hash (" + kind(hash)
                    + "); write it with htpasswd -B");
            if (hashes.put(user, hash) != null)
                throw new IllegalArgumentException(where + " names user " + user + " a second time");
        }
        return new Htpasswd(Map.copyOf(hashes));
    }

    private static String kind(String hash)
    {
        if (hash.startsWith("$apr1$"))
            return "MD5, htpasswd -m";
        if (hash.startsWith("{SHA}"))
            return "SHA-1, htpasswd -s";
        if (hash.startsWith("$"))
            return "a crypt(3) hash";
        return "plain text or crypt";
    }
}
