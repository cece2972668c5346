package io.jwtproxy.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * A real gRPC server (grpc-java over Netty) with a service of plain-text messages, no code
 * generation: {@code Say} (unary: "hello " + the request), {@code Count} (server streaming: the
 * request's number of messages, 150 ms apart, each carrying the monotonic clock at its sending),
 * {@code Chat} (bidirectional: each message echoed as it comes), {@code Fail} (NOT_FOUND "no order
 * " + the request) and {@code Slow} (answers after 5 s, unless cancelled first). It records each
 * call's token and deadline.
 */
public final class GrpcUpstream implements AutoCloseable
{
    public static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>()
    {
        @Override
        public InputStream stream(String value)
        {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream)
        {
            try
            {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            }
            catch (IOException x)
            {
                throw new UncheckedIOException(x);
            }
        }
    };
    public static final MethodDescriptor<String, String> SAY = method("Say", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> COUNT = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    public static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
    public static final MethodDescriptor<String, String> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);
    private static final Metadata.Key<String> TOKEN = Metadata.Key.of("x-my-jwt", Metadata.ASCII_STRING_MARSHALLER);

    private final Server server;
    /** The token of each call, in the order calls arrived. */
    public final BlockingQueue<String> tokens = new LinkedBlockingQueue<>();
    /** The deadline of each call that had one. */
    public final BlockingQueue<Deadline> deadlines = new LinkedBlockingQueue<>();
    /** Counted down when a Slow call is cancelled. */
    public final CountDownLatch slowCancelled = new CountDownLatch(1);

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type)
    {
        return MethodDescriptor.<String, String>newBuilder().setType(type).setFullMethodName("jwtproxy.test.Echo/" + name)
            .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();
    }

    public GrpcUpstream() throws IOException
    {
        this(InsecureServerCredentials.create());
    }

    public GrpcUpstream(ServerCredentials credentials) throws IOException
    {
        ServerServiceDefinition service = ServerServiceDefinition.builder("jwtproxy.test.Echo")
            .addMethod(SAY, ServerCalls.asyncUnaryCall((request, responses) ->
            {
                responses.onNext("hello " + request);
                responses.onCompleted();
            }))
            .addMethod(COUNT, ServerCalls.asyncServerStreamingCall(this::count))
            .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(GrpcUpstream::chat))
            .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, responses) ->
                responses.onError(Status.NOT_FOUND.withDescription("no order " + request).asRuntimeException())))
            .addMethod(SLOW, ServerCalls.asyncUnaryCall(this::slow))
            .build();
        ServerInterceptor recorder = new ServerInterceptor()
        {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next)
            {
                tokens.add(String.valueOf(headers.get(TOKEN)));
                Deadline deadline = Context.current().getDeadline();
                if (deadline != null)
                    deadlines.add(deadline);
                return next.startCall(call, headers);
            }
        };
        server = Grpc.newServerBuilderForPort(0, credentials).addService(ServerInterceptors.intercept(service, recorder)).build().start();
    }

    private static StreamObserver<String> chat(StreamObserver<String> responses)
    {
        return new StreamObserver<String>()
        {
            @Override
            public void onNext(String message)
            {
                responses.onNext("echo " + message);
            }

            @Override
            public void onError(Throwable failure)
            {
                // The client went away.
            }

            @Override
            public void onCompleted()
            {
                responses.onCompleted();
            }
        };
    }

    private void count(String request, StreamObserver<String> responses)
    {
        Thread counting = new Thread(() ->
        {
            try
            {
                for (int i = 0; i < Integer.parseInt(request); i++)
                {
                    // The pause between messages is the stream's shape.
                    Thread.sleep(150);
                    responses.onNext(Long.toString(System.nanoTime()));
                }
                responses.onCompleted();
            }
            catch (InterruptedException | RuntimeException x)
            {
                responses.onError(Status.CANCELLED.asRuntimeException());
            }
        }, "grpc-count");
        counting.setDaemon(true);
        counting.start();
    }

    private void slow(String request, StreamObserver<String> responses)
    {
        Context.current().addListener(context -> slowCancelled.countDown(), Runnable::run);
        try
        {
            // Slower than any test's deadline: the call is under test, not the answer.
            if (!slowCancelled.await(5, TimeUnit.SECONDS))
            {
                responses.onNext("slow " + request);
                responses.onCompleted();
            }
        }
        catch (InterruptedException x)
        {
            Thread.currentThread().interrupt();
        }
    }

    public int port()
    {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException
    {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
