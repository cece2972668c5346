package io.jwtproxy.http;

import java.util.Locale;

/** Content negotiation by {@code Accept} (RFC 9110 §12.5.1), as far as the proxy's own pages need it. */
public final class MediaTypes
{
    private MediaTypes()
    {
    }

    /**
     * @param accept the request's Accept header, or null
     * @return true when {@code text/html} has a higher quality than {@code application/json}
     */
    public static boolean prefersHtml(String accept)
    {
        if (accept == null)
            return false;
        return quality(accept, "text", "html") > quality(accept, "application", "json");
    }

    // The most specific matching range decides the quality of a media type.
    private static double quality(String accept, String type, String subtype)
    {
        double best = 0;
        int bestSpecificity = -1;
        for (String range : accept.split(","))
        {
            String[] parts = range.split(";");
            String media = parts[0].trim().toLowerCase(Locale.ROOT);
            int specificity;
            if (media.equals(type + "/" + subtype))
                specificity = 2;
            else if (media.equals(type + "/*"))
                specificity = 1;
            else if (media.equals("*/*"))
                specificity = 0;
            else
                continue;
            double q = 1;
            for (int i = 1; i < parts.length; i++)
            {
                String parameter = parts[i].trim();
                if (parameter.startsWith("q=") || parameter.startsWith("Q="))
                {
                    try
                    {
                        q = Double.parseDouble(parameter.substring(2));
                    }
                    catch (NumberFormatException x)
                    {
                        q = 0;
                    }
                }
            }
            if (specificity > bestSpecificity)
            {
                bestSpecificity = specificity;
                best = q;
            }
        }
        return best;
    }
}
