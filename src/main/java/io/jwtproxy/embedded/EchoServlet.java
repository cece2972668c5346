package io.jwtproxy.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collections;
import java.util.List;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.jwtproxy.http.Headers;

/**
 * The built-in upstream of the demo and the tests: answers 200 to any method, copies the
 * request's end-to-end headers into its response (so a client sees the token the upstream
 * received) and streams the request body back as it arrives.
 *
 * <p>Two headers of its own describe what arrived: {@code x-echo-request} (method, raw target
 * and protocol) and {@code x-echo-body} ({@code length=N}, {@code chunked}, {@code streamed} for an
 * HTTP/2 body of unknown length, or {@code none}).</p>
 */
public class EchoServlet extends HttpServlet
{
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException
    {
        List<String> connection = Collections.list(request.getHeaders("Connection"));
        for (String name : Collections.list(request.getHeaderNames()))
        {
            if (Headers.isHopByHop(name) || Headers.namedByConnection(connection, name) || name.equalsIgnoreCase("Content-Length"))
                continue;
            for (String value : Collections.list(request.getHeaders(name)))
                response.addHeader(name, value);
        }
        String query = request.getQueryString();
        response.setHeader("x-echo-request", request.getMethod() + " " + request.getRequestURI()
            + (query == null ? "" : "?" + query) + " " + request.getProtocol());

        long length = request.getContentLengthLong();
        boolean chunked = request.getHeader("Transfer-Encoding") != null;
        // HTTP/2 frames a body of unknown length itself: it may have one, read to its end.
        boolean streamed = length < 0 && request.getProtocol().startsWith("HTTP/2");
        response.setHeader("x-echo-body", length >= 0 ? "length=" + length : chunked ? "chunked" : streamed ? "streamed" : "none");
        response.setStatus(HttpServletResponse.SC_OK);
        if (length >= 0)
            response.setContentLengthLong(length);
        if (length == 0 || (length < 0 && !chunked && !streamed))
            return;

        // Blocking reads and writes of one buffer at a time: the body flows back while it still
        // arrives, and the heap holds one buffer per request whatever the body's size.
        byte[] buffer = new byte[64 * 1024];
        InputStream in = request.getInputStream();
        OutputStream out = response.getOutputStream();
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer))
        {
            out.write(buffer, 0, read);
            out.flush();
        }
    }
}
