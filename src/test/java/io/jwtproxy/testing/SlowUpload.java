package io.jwtproxy.testing;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client that uploads a {@link BigBody} slowly to the echo behind the proxy and runs an action
 * while the exchange is in flight: for shutdown and undeploy tests, where slowness is the behaviour.
 */
public final class SlowUpload
{
    public interface Action
    {
        void run() throws Exception;
    }

    private SlowUpload()
    {
    }

    /**
     * Sends {@code length} bytes in 256 KiB pieces {@code pauseMillis} apart, runs {@code meanwhile}
     * once the echo's answer has started, and reads the whole echo back.
     *
     * @return null when the echoed body came back whole and byte-exact, else what went wrong
     */
    public static String across(int port, String path, long length, long pauseMillis, Action meanwhile) throws Exception
    {
        try (RawHttp http = new RawHttp(port))
        {
            http.send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length + "\r\n\r\n");
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() ->
            {
                try
                {
                    ByteArrayOutputStream whole = new ByteArrayOutputStream();
                    BigBody.write(whole, length);
                    byte[] bytes = whole.toByteArray();
                    for (int offset = 0; offset < bytes.length; offset += 1 << 18)
                    {
                        http.output().write(bytes, offset, Math.min(1 << 18, bytes.length - offset));
                        http.output().flush();
                        Thread.sleep(pauseMillis);
                    }
                }
                catch (Exception x)
                {
                    throw new IllegalStateException(x);
                }
            });
            RawHttp.Head head = http.readHead();
            if (head.status() != 200)
                return "status " + head.status();
            meanwhile.run();
            String difference = BigBody.check(http.input(), length);
            upload.get(60, TimeUnit.SECONDS);
            return difference;
        }
    }
}
