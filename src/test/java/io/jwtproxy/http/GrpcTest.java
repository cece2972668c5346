package io.jwtproxy.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.jwtproxy.testing.Certificates;
import io.jwtproxy.testing.Certificates.Issued;
import io.jwtproxy.testing.Certificates.KeyForm;
import io.jwtproxy.testing.GrpcUpstream;
import io.jwtproxy.testing.Proxies;
import io.jwtproxy.testing.Proxy;
import io.jwtproxy.testing.Tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * gRPC end to end through the proxy, HTTP/2 on both legs, with grpc-java as the client and as the
 * upstream: unary, server streaming, bidirectional streaming, an error status, a deadline; each
 * call with its own token; and the same over TLS on both legs.
 */
class GrpcTest
{
    @RegisterExtension
    final Proxies proxies = new Proxies();
    @TempDir
    Path dir;

    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() throws InterruptedException
    {
        for (ManagedChannel channel : channels)
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private GrpcUpstream upstream() throws Exception
    {
        return proxies.track(new GrpcUpstream());
    }

    /** A proxy on h2c in front of {@code upstream}, and a plaintext channel to it. */
    private ManagedChannel channelThroughProxy(GrpcUpstream upstream)
    {
        Proxy proxy = proxies.start("UPSTREAM_URL", "http://127.0.0.1:" + upstream.port(), "UPSTREAM_PROTOCOL", "h2c",
            "JWT_SECRET", Tokens.SEED_SECRET);
        return channel("127.0.0.1", proxy.port(), InsecureChannelCredentials.create());
    }

    private ManagedChannel channel(String host, int port, ChannelCredentials credentials)
    {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(host, port, credentials).build();
        channels.add(channel);
        return channel;
    }

    @Test
    void aUnaryCallPassesWithItsOwnFreshToken() throws Exception
    {
        GrpcUpstream upstream = upstream();
        ManagedChannel channel = channelThroughProxy(upstream);

        String first = ClientCalls.blockingUnaryCall(channel, GrpcUpstream.SAY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "proxy");
        String second = ClientCalls.blockingUnaryCall(channel, GrpcUpstream.SAY, CallOptions.DEFAULT, "again");

        assertThat(first).isEqualTo("hello proxy");
        assertThat(second).isEqualTo("hello again");
        String tokenOne = upstream.tokens.take();
        String tokenTwo = upstream.tokens.take();
        assertThat(Tokens.verifies(tokenOne, Tokens.SEED_SECRET)).isTrue();
        assertThat(Tokens.verifies(tokenTwo, Tokens.SEED_SECRET)).isTrue();
        assertThat(Tokens.claims(tokenOne).get("jti")).isNotEqualTo(Tokens.claims(tokenTwo).get("jti"));
        assertThat(upstream.deadlines.poll()).as("grpc-timeout passed on").isNotNull()
            .satisfies(deadline -> assertThat(deadline.timeRemaining(TimeUnit.SECONDS)).isBetween(1L, 10L));
    }

    @Test
    void aServerStreamArrivesMessageByMessageAsItIsSent() throws Exception
    {
        ManagedChannel channel = channelThroughProxy(upstream());

        Iterator<String> messages = ClientCalls.blockingServerStreamingCall(channel, GrpcUpstream.COUNT, CallOptions.DEFAULT, "6");
        List<Double> delaysMillis = new ArrayList<>();
        while (messages.hasNext())
            delaysMillis.add((System.nanoTime() - Long.parseLong(messages.next())) / 1e6);

        assertThat(delaysMillis).hasSize(6);
        assertThat(delaysMillis).as("how late each message arrived, in ms (sent 150 ms apart)").allSatisfy(delay -> assertThat(delay).isLessThan(100));
    }

    @Test
    void aBidirectionalStreamEchoesEachMessageBeforeTheNextIsSent() throws Exception
    {
        ManagedChannel channel = channelThroughProxy(upstream());
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        BlockingQueue<Object> ended = new LinkedBlockingQueue<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(GrpcUpstream.CHAT, CallOptions.DEFAULT),
            new StreamObserver<>()
            {
                @Override
                public void onNext(String message)
                {
                    received.add(message);
                }

                @Override
                public void onError(Throwable failure)
                {
                    ended.add(failure);
                }

                @Override
                public void onCompleted()
                {
                    ended.add("completed");
                }
            });

        // Each answer is awaited before the next message goes: a proxy that held either direction back would stall here.
        for (int i = 1; i <= 5; i++)
        {
            requests.onNext("message " + i);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("echo message " + i);
        }
        requests.onCompleted();
        assertThat(ended.poll(5, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void theUpstreamsErrorStatusAndMessageReachTheClientUnchanged() throws Exception
    {
        ManagedChannel channel = channelThroughProxy(upstream());

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcUpstream.FAIL, CallOptions.DEFAULT, "7"))
            .isInstanceOf(StatusRuntimeException.class)
            .satisfies(x -> assertThat(((StatusRuntimeException)x).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND))
            .satisfies(x -> assertThat(((StatusRuntimeException)x).getStatus().getDescription()).isEqualTo("no order 7"));
    }

    @Test
    void aDeadlineThatExpiresEndsTheCallOnBothLegs() throws Exception
    {
        GrpcUpstream upstream = upstream();
        ManagedChannel channel = channelThroughProxy(upstream);

        long start = System.nanoTime();
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcUpstream.SLOW, CallOptions.DEFAULT.withDeadlineAfter(300,
            TimeUnit.MILLISECONDS), "late"))
            .isInstanceOf(StatusRuntimeException.class)
            .satisfies(x -> assertThat(((StatusRuntimeException)x).getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(upstream.slowCancelled.await(5, TimeUnit.SECONDS)).as("the upstream's call was cancelled too").isTrue();
        Deadline deadline = upstream.deadlines.poll();
        assertThat(deadline).as("the upstream got the client's deadline").isNotNull();
    }

    @Test
    void overTlsOnBothLegsWithAPrivateCa() throws Exception
    {
        Issued ca = Certificates.authority("jwt-proxy test CA");
        Issued upstreamCertificate = ca.server();
        GrpcUpstream upstream = proxies.track(new GrpcUpstream(TlsServerCredentials.create(
            upstreamCertificate.writeChain(dir.resolve("upstream.pem")).toFile(),
            upstreamCertificate.writeKey(dir.resolve("upstream-key.pem"), KeyForm.PKCS8).toFile())));
        Issued proxyCertificate = ca.server();
        Proxy proxy = proxies.start("UPSTREAM_URL", "https://127.0.0.1:" + upstream.port(), "UPSTREAM_PROTOCOL", "h2",
            "UPSTREAM_CA_FILE", ca.writeCertificate(dir.resolve("ca.pem")).toString(), "JWT_SECRET", Tokens.SEED_SECRET,
            "HTTPS_PORT", "0", "HTTP_PORT", "off",
            "TLS_CERT_FILE", proxyCertificate.writeChain(dir.resolve("proxy.pem")).toString(),
            "TLS_KEY_FILE", proxyCertificate.writeKey(dir.resolve("proxy-key.pem"), KeyForm.TRADITIONAL).toString());
        ManagedChannel channel = channel("localhost", proxy.httpsPort(),
            TlsChannelCredentials.newBuilder().trustManager(dir.resolve("ca.pem").toFile()).build());

        assertThat(ClientCalls.blockingUnaryCall(channel, GrpcUpstream.SAY, CallOptions.DEFAULT, "over TLS")).isEqualTo("hello over TLS");
        assertThat(Tokens.verifies(upstream.tokens.take(), Tokens.SEED_SECRET)).isTrue();
    }
}
