package io.jwtproxy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /status}: when the proxy started, its uptime, how many requests it has been handed and
 * tokens it minted, and what signs them (algorithm, active key, next key and when it takes over), as
 * JSON, or as a small HTML page for clients that prefer {@code text/html}.
 */
public class StatusServlet extends HttpServlet
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProxyStats stats;
    private ProxyConfig config;
    private KeyRing keys;

    @Override
    public void init() throws ServletException
    {
        stats = BootListener.stats(getServletContext());
        config = BootListener.config(getServletContext());
        keys = BootListener.keys(getServletContext());
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException
    {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("startedAt", stats.startedAt().truncatedTo(ChronoUnit.MILLIS).toString());
        status.put("uptimeSeconds", BigDecimal.valueOf(stats.uptime().toMillis(), 3));
        status.put("requestsProcessed", stats.requestsProcessed());
        status.put("tokensMinted", stats.tokensMinted());
        status.put("signingAlgorithm", config.tokens().algorithm().joseName());
        if (keys != null)
        {
            status.put("activeKid", keys.active().kid());
            SigningKey next = keys.next();
            if (next != null)
            {
                status.put("nextKid", next.kid());
                status.put("nextKidActiveFrom", next.activeFrom().toString());
            }
        }

        response.setHeader("Cache-Control", "no-store");
        if ("HTTP/1.0".equals(request.getProtocol()))
            response.setHeader("Connection", "close");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        if (prefersHtml(request.getHeader("Accept")))
        {
            response.setContentType("text/html");
            response.getWriter().write(html(status));
        }
        else
        {
            response.setContentType("application/json");
            response.getWriter().write(JSON.writeValueAsString(status));
        }
    }

    private static String html(Map<String, Object> status)
    {
        StringBuilder page = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>jwt-proxy status</title></head>\n")
            .append("<body><h1>jwt-proxy</h1>\n<table>\n");
        // Every value is a number, an ISO instant, an algorithm name or a base64url kid the proxy produced itself: nothing to escape.
        status.forEach((name, value) -> page.append("<tr><th>").append(name).append("</th><td>").append(value).append("</td></tr>\n"));
        return page.append("</table></body></html>\n").toString();
    }

    /**
     * @param accept the request's Accept header, or null
     * @return true when {@code text/html} has a higher quality than {@code application/json}
     */
    static boolean prefersHtml(String accept)
    {
        if (accept == null)
            return false;
        return quality(accept, "text", "html") > quality(accept, "application", "json");
    }

    // RFC 9110 §12.5.1: the most specific matching range decides the quality of a media type.
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
