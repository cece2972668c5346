package io.jwtproxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One way of running the proxy as an operator would, in its own process: the executable jar,
 * the WAR in Tomcat, or the WAR in jetty-home driven by the repository's {@code jetty-base/}.
 * Each is given the same settings, delivered the way that runtime's operators would.
 */
public abstract class Deployment implements AutoCloseable
{
    private static final Duration START = Duration.ofSeconds(90);
    private static final Path WORK = Path.of(System.getProperty("jwtproxy.itWork", "target/it")).toAbsolutePath();

    private final String name;
    protected final int port = freePort();
    protected Path dir;
    /** The container's own idle timeout for HTTP connections, as its operators set it; null keeps the deployment's default. */
    protected Duration httpIdleTimeout;
    /** Whether the container's plain listener speaks h2c, as its operators switch it on (the jar's always does). */
    protected boolean h2c;
    private JavaProcess process;

    protected Deployment(String name)
    {
        this.name = name;
    }

    /** Every way the tests run the proxy. */
    public static List<Deployment> all()
    {
        return List.of(new Jar(), new Jar("servlet"), new Tomcat("tomcat-11", System.getProperty("jwtproxy.tomcat11"), "/proxy", true),
            new Tomcat("tomcat-10.1", System.getProperty("jwtproxy.tomcat10"), "", false), new JettyHome());
    }

    /** @return the URL of the proxy's root, context path included, without a trailing slash */
    public String base()
    {
        return "http://127.0.0.1:" + port + contextPath();
    }

    public int port()
    {
        return port;
    }

    public abstract String contextPath();

    /** Prepares the runtime's files in {@link #dir} and starts it; settings go in as this runtime's operators give them. */
    protected abstract JavaProcess run(Map<String, String> settings) throws IOException;

    /**
     * Sets, for the next start, the idle timeout of the container's HTTP connections where its
     * operators set it: CLIENT_IDLE_TIMEOUT for the jar, the connector's {@code connectionTimeout}
     * in Tomcat, {@code jetty.http.idleTimeout} in jetty-home.
     */
    public Deployment httpIdleTimeout(Duration timeout)
    {
        httpIdleTimeout = timeout;
        return this;
    }

    /**
     * Switches on HTTP/2 in the clear for the next start, where its operators do it: Tomcat's
     * {@code Http2Protocol} on the connector, jetty-base's {@code jwt-proxy-http2c} module.
     */
    public Deployment h2c()
    {
        h2c = true;
        return this;
    }

    /** Starts the proxy with these settings and waits until its status page answers. */
    public void start(Map<String, String> settings) throws Exception
    {
        launch(settings);
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + START.toNanos();
        while (true)
        {
            try
            {
                HttpResponse<String> status = client.send(HttpRequest.newBuilder(URI.create(base() + "/status"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (status.statusCode() == 200)
                    return;
            }
            catch (IOException x)
            {
                // Not listening yet.
            }
            if (!process.isAlive() || System.nanoTime() > deadline)
                throw new AssertionError(name + " did not start within " + START + "; log:\n" + log());
            Thread.sleep(100);
        }
    }

    /** Starts the runtime with settings that must fail the deployment; waits until it says why. */
    public void startExpectingFailure(Map<String, String> settings, String reason) throws Exception
    {
        launch(settings);
        long deadline = System.nanoTime() + START.toNanos();
        while (!log().contains(reason))
        {
            boolean exited = !process.isAlive();
            if (exited)
                process.awaitExit(Duration.ofSeconds(5));
            if (log().contains(reason))
                return;
            if (exited || System.nanoTime() > deadline)
                throw new AssertionError(name + " did not log \"" + reason + "\" within " + START + "; log:\n" + log());
            Thread.sleep(100);
        }
    }

    private void launch(Map<String, String> settings) throws IOException
    {
        Files.createDirectories(WORK);
        dir = Files.createTempDirectory(WORK, name + "-");
        process = run(settings);
    }

    /** @return what the runtime printed, then every file in its logs directory */
    public String log()
    {
        StringBuilder log = new StringBuilder(process == null ? "" : process.output());
        Path logs = dir == null ? null : dir.resolve("logs");
        if (logs != null && Files.isDirectory(logs))
        {
            try (Stream<Path> files = Files.list(logs))
            {
                for (Path file : files.sorted().collect(Collectors.toList()))
                    log.append("\n--- ").append(file.getFileName()).append('\n').append(Files.readString(file));
            }
            catch (IOException x)
            {
                throw new UncheckedIOException(x);
            }
        }
        return log.toString();
    }

    public JavaProcess process()
    {
        return process;
    }

    @Override
    public void close()
    {
        if (process != null)
            process.close();
    }

    @Override
    public String toString()
    {
        return name;
    }

    public static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (IOException x)
        {
            throw new UncheckedIOException(x);
        }
    }

    public static Path war()
    {
        return Path.of(System.getProperty("jwtproxy.war", "target/jwt-proxy.war")).toAbsolutePath();
    }

    private static Path existing(String property, String path)
    {
        if (path == null || !Files.isDirectory(Path.of(path)))
            throw new IllegalStateException(property + " (" + path + ") is missing: run the ITs with mvn verify, which unpacks it");
        return Path.of(path).toAbsolutePath();
    }

    /** {@code java -jar target/jwt-proxy.jar}, settings in the environment, on the default engine or the one named. */
    public static final class Jar extends Deployment
    {
        private final String engine;

        public Jar()
        {
            super("jar");
            this.engine = null;
        }

        /** @param engine the ENGINE it runs on */
        public Jar(String engine)
        {
            super("jar-" + engine);
            this.engine = engine;
        }

        @Override
        public String contextPath()
        {
            return "";
        }

        @Override
        protected JavaProcess run(Map<String, String> settings) throws IOException
        {
            Map<String, String> environment = new HashMap<>(settings);
            environment.put("HTTP_HOST", "127.0.0.1");
            environment.put("HTTP_PORT", Integer.toString(port));
            if (engine != null)
                environment.putIfAbsent("ENGINE", engine);
            if (httpIdleTimeout != null)
                environment.put("CLIENT_IDLE_TIMEOUT", httpIdleTimeout.toMillis() + "ms");
            return JavaProcess.jar(environment, List.of("-Xmx128m"));
        }
    }

    /**
     * The WAR in a fresh Tomcat base: under {@code /proxy} with settings in a context descriptor
     * ({@code conf/Catalina/localhost/proxy.xml}), or as ROOT with settings as JVM system
     * properties ({@code CATALINA_OPTS}). The connector keeps Tomcat's default
     * {@code continueResponseTiming="immediately"}: with {@code onRead} Tomcat sends 100 Continue
     * only to a blocking read, never to the proxy's non-blocking one, and an expecting client waits forever.
     */
    public static final class Tomcat extends Deployment
    {
        private final String home;
        private final String contextPath;
        private final boolean descriptor;

        public Tomcat(String name, String home, String contextPath, boolean descriptor)
        {
            super(name);
            this.home = home;
            this.contextPath = contextPath;
            this.descriptor = descriptor;
        }

        @Override
        public String contextPath()
        {
            return contextPath;
        }

        @Override
        protected JavaProcess run(Map<String, String> settings) throws IOException
        {
            Path catalinaHome = existing("jwtproxy.tomcat", home);
            for (String sub : List.of("conf", "logs", "temp", "webapps", "work"))
                Files.createDirectories(dir.resolve(sub));
            try (Stream<Path> conf = Files.list(catalinaHome.resolve("conf")))
            {
                for (Path file : conf.filter(Files::isRegularFile).collect(Collectors.toList()))
                    Files.copy(file, dir.resolve("conf").resolve(file.getFileName()));
            }
            String serverXml = Files.readString(catalinaHome.resolve("conf/server.xml"))
                .replace("<Server port=\"8005\"", "<Server port=\"-1\"")
                .replace("<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                    "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
            if (httpIdleTimeout != null)
                serverXml = serverXml.replace("connectionTimeout=\"20000\"", "connectionTimeout=\"" + httpIdleTimeout.toMillis() + "\"");
            if (h2c)
            {
                int connector = serverXml.indexOf("address=\"127.0.0.1\"");
                int end = serverXml.indexOf("/>", connector);
                serverXml = serverXml.substring(0, end) + "><UpgradeProtocol className=\"org.apache.coyote.http2.Http2Protocol\"/></Connector>"
                    + serverXml.substring(end + 2);
            }
            if (!serverXml.contains("address=\"127.0.0.1\"") || httpIdleTimeout != null
                && !serverXml.contains("connectionTimeout=\"" + httpIdleTimeout.toMillis() + "\""))
                throw new IllegalStateException("server.xml of " + catalinaHome + " has no default HTTP connector to adapt");
            Files.writeString(dir.resolve("conf/server.xml"), serverXml);

            String contextName = contextPath.isEmpty() ? "ROOT" : contextPath.substring(1);
            Files.copy(war(), dir.resolve("webapps").resolve(contextName + ".war"), StandardCopyOption.REPLACE_EXISTING);

            List<String> command = new ArrayList<>(List.of("-Xmx128m",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED",
                "-Dcatalina.home=" + catalinaHome, "-Dcatalina.base=" + dir, "-Djava.io.tmpdir=" + dir.resolve("temp"),
                "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                "-Djava.util.logging.config.file=" + dir.resolve("conf/logging.properties")));
            if (descriptor)
            {
                StringBuilder xml = new StringBuilder("<Context>\n");
                settings.forEach((name, value) -> xml.append("  <Parameter name=\"").append(name).append("\" value=\"")
                    .append(value).append("\" override=\"false\"/>\n"));
                Path descriptorDir = Files.createDirectories(dir.resolve("conf/Catalina/localhost"));
                Files.writeString(descriptorDir.resolve(contextName + ".xml"), xml.append("</Context>\n"));
            }
            else
            {
                for (Map.Entry<String, String> setting : settings.entrySet())
                {
                    if (setting.getKey().equals("JWT_SECRET"))
                    {
                        // Tomcat logs every JVM argument at start-up: a secret goes in a file, never on the command line.
                        Path secret = dir.resolve("conf/jwt.secret");
                        Files.writeString(secret, setting.getValue() + "\n");
                        command.add("-DJWT_SECRET_FILE=" + secret);
                    }
                    else
                    {
                        command.add("-D" + setting.getKey() + "=" + setting.getValue());
                    }
                }
            }
            command.addAll(List.of("-cp", catalinaHome.resolve("bin/bootstrap.jar") + java.io.File.pathSeparator
                + catalinaHome.resolve("bin/tomcat-juli.jar"), "org.apache.catalina.startup.Bootstrap", "start"));
            return JavaProcess.start(Map.of(), dir, command.toArray(String[]::new));
        }

        public Path deployedWar()
        {
            return dir.resolve("webapps").resolve((contextPath.isEmpty() ? "ROOT" : contextPath.substring(1)) + ".war");
        }
    }

    /**
     * jetty-home with a copy of the repository's {@code jetty-base/} and the WAR dropped into its
     * {@code webapps/}, settings in the environment; the port is given on the command line.
     */
    public static final class JettyHome extends Deployment
    {
        /** The TLS listener's port, when {@link #tls} switched it on. */
        private final int sslPort = freePort();
        private Path keyStore;
        private String keyStorePassword;

        public JettyHome()
        {
            super("jetty-home");
        }

        /**
         * Switches on, for the next start, what {@code start.d/tls-and-http2.ini} holds ready, as its
         * comments tell an operator: the key store copied to {@code etc/keystore.p12}, its password in
         * place of {@code <password>}, the lines uncommented.
         */
        public JettyHome tls(Path pkcs12, String password)
        {
            keyStore = pkcs12;
            keyStorePassword = password;
            return this;
        }

        /** @return the TLS listener's {@code https} root */
        public String httpsBase()
        {
            return "https://127.0.0.1:" + sslPort;
        }

        /** @return where the running server reads its key store, for a renewal to replace */
        public Path keyStore()
        {
            return dir.resolve("jetty-base/etc/keystore.p12");
        }

        @Override
        public String contextPath()
        {
            return "";
        }

        @Override
        protected JavaProcess run(Map<String, String> settings) throws IOException
        {
            Path jettyHome = existing("jwtproxy.jettyHome", System.getProperty("jwtproxy.jettyHome"));
            Path repoBase = existing("jwtproxy.jettyBase", System.getProperty("jwtproxy.jettyBase", "jetty-base"));
            Path base = dir.resolve("jetty-base");
            try (Stream<Path> files = Files.walk(repoBase))
            {
                for (Path source : files.collect(Collectors.toList()))
                {
                    Path target = base.resolve(repoBase.relativize(source).toString());
                    if (Files.isDirectory(source))
                        Files.createDirectories(target);
                    else
                        Files.copy(source, target);
                }
            }
            Files.copy(war(), base.resolve("webapps/jwt-proxy.war"));
            List<String> command = new ArrayList<>(List.of("-Xmx128m", "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("temp")),
                "-jar", jettyHome.resolve("start.jar").toString(),
                "jetty.home=" + jettyHome, "jetty.base=" + base, "jetty.http.host=127.0.0.1", "jetty.http.port=" + port));
            if (httpIdleTimeout != null)
                command.add("jetty.http.idleTimeout=" + httpIdleTimeout.toMillis());
            if (h2c)
                command.add("--module=jwt-proxy-http2c");
            if (keyStore != null)
            {
                Files.copy(keyStore, base.resolve("etc/keystore.p12"));
                Path template = base.resolve("start.d/tls-and-http2.ini");
                Files.writeString(template, Files.readString(template).replaceAll("(?m)^# ", "").replace("<password>", keyStorePassword));
                command.addAll(List.of("jetty.ssl.host=127.0.0.1", "jetty.ssl.port=" + sslPort));
            }
            return JavaProcess.start(settings, dir, command.toArray(String[]::new));
        }
    }
}
