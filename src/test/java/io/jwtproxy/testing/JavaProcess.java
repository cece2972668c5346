package io.jwtproxy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.jwtproxy.config.Setting;

/** A separate {@code java} process (the packaged jar, or a servlet container), with its output collected line by line. */
public final class JavaProcess implements AutoCloseable
{
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private JavaProcess(Process process)
    {
        this.process = process;
        reader = new Thread(() ->
        {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                for (String line = out.readLine(); line != null; line = out.readLine())
                {
                    synchronized (lines)
                    {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            }
            catch (IOException x)
            {
                // The process went away.
            }
        }, "java-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * The packaged jar as an operator runs it: {@code java <jvmOptions> -jar target/jwt-proxy.jar <arguments>},
     * its settings in the environment. The one way the tests run the jar.
     *
     * @param settings the jar's settings; every other jwt-proxy setting is removed from the inherited environment.
     *                 SHUTDOWN_DELAY is 0s unless they say otherwise: closing a test's jar need not wait for a balancer.
     */
    public static JavaProcess jar(Map<String, String> settings, List<String> jvmOptions, String... arguments) throws IOException
    {
        List<String> command = new ArrayList<>(jvmOptions);
        command.add("-jar");
        command.add(Path.of(jarFile()).toAbsolutePath().toString());
        command.addAll(List.of(arguments));
        Map<String, String> environment = new java.util.HashMap<>(settings);
        environment.putIfAbsent(Setting.SHUTDOWN_DELAY.name(), "0s");
        return start(environment, null, command.toArray(String[]::new));
    }

    /** @return the port the proxy (or the echo upstream) says it listens on, waiting up to 30 s */
    public int awaitListening() throws InterruptedException
    {
        return Integer.parseInt(awaitLine("(?:jwt-proxy|echo upstream) listening on https?://[^:]+:(\\d+)", Duration.ofSeconds(30)));
    }

    /**
     * A JVM of its own: the jar (see {@link #jar}), or a servlet container.
     *
     * @param env the process's settings; every other jwt-proxy setting is removed from the inherited environment
     * @param workingDirectory where the process runs, or null for this process's
     * @param jvmAndArgs JVM options, then the main class or {@code -jar} and its arguments
     */
    public static JavaProcess start(Map<String, String> env, Path workingDirectory, String... jvmAndArgs) throws IOException
    {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmAndArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (workingDirectory != null)
            builder.directory(workingDirectory.toFile());
        for (Setting setting : Setting.values())
            builder.environment().remove(setting.name());
        builder.environment().putAll(env);
        return new JavaProcess(builder.start());
    }

    /** @return the packaged jar, target/jwt-proxy.jar */
    public static String jarFile()
    {
        String jar = System.getProperty("jwtproxy.jar", "target/jwt-proxy.jar");
        if (!Files.isRegularFile(Path.of(jar)))
            throw new IllegalStateException(jar + " is missing: run the ITs with mvn verify");
        return jar;
    }

    /** @return the first group of the first output line matching {@code regex}, waiting up to {@code timeout} */
    public String awaitLine(String regex, Duration timeout) throws InterruptedException
    {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines)
        {
            while (true)
            {
                for (; seen < lines.size(); seen++)
                {
                    Matcher matcher = pattern.matcher(lines.get(seen));
                    if (matcher.find())
                        return matcher.groupCount() > 0 ? matcher.group(1) : matcher.group();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && seen == lines.size()))
                    throw new AssertionError("no output line matched " + regex + " within " + timeout + "; output:\n" + output());
                lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
            }
        }
    }

    public int awaitExit(Duration timeout) throws InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            throw new AssertionError("process still running after " + timeout + "; output:\n" + output());
        // Let the reader take in what the process wrote last.
        reader.join(5_000);
        return process.exitValue();
    }

    public String output()
    {
        synchronized (lines)
        {
            return String.join("\n", lines);
        }
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** @return the process's peak resident set size in KiB (Linux VmHWM), or -1 where /proc has none */
    public long peakRssKiB()
    {
        try
        {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")))
            {
                if (line.startsWith("VmHWM:"))
                    return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        catch (IOException x)
        {
            // Not Linux, or the process has gone.
        }
        return -1;
    }

    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(10, TimeUnit.SECONDS))
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException x)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
