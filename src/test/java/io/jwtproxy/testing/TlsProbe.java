package io.jwtproxy.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Locale;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** What a TLS client sees of a listener: the certificate it is served, and answers on one connection kept open. */
public final class TlsProbe
{
    private TlsProbe()
    {
    }

    /** @return the serial number of the certificate a new connection is served */
    public static BigInteger serialOfANewConnection(SSLContext trusting, int port) throws IOException
    {
        try (SSLSocket socket = (SSLSocket)trusting.getSocketFactory().createSocket("127.0.0.1", port))
        {
            socket.startHandshake();
            return serial(socket);
        }
    }

    /** @return the serial number of the certificate this connection was served */
    public static BigInteger serial(SSLSocket socket) throws IOException
    {
        return ((X509Certificate)socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    /** @return the status of an HTTP/1.1 GET of the path on the connection, which stays open */
    public static int status(SSLSocket socket, String path) throws IOException
    {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        String statusLine = RawHttp.readLine(socket.getInputStream());
        long length = 0;
        for (String line = RawHttp.readLine(socket.getInputStream()); !line.isEmpty(); line = RawHttp.readLine(socket.getInputStream()))
        {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                length = Long.parseLong(line.substring(15).trim());
        }
        socket.getInputStream().readNBytes((int)length);
        return Integer.parseInt(statusLine.split(" ")[1]);
    }
}
