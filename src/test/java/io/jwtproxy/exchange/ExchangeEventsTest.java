package io.jwtproxy.exchange;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jwtproxy.http.Answer;

import static org.assertj.core.api.Assertions.assertThat;

/** Every subscriber sees each exchange's events once, in the order they happened, the end last. */
class ExchangeEventsTest
{
    /** Writes down each event it sees, with its subscriber's name. */
    private record Recorder(String name, List<String> seen) implements ExchangeEvents
    {
        @Override
        public void received(Exchange exchange)
        {
            seen.add(name + " received " + exchange.method() + " " + exchange.path());
        }

        @Override
        public void authenticated(Exchange exchange, String subject)
        {
            seen.add(name + " authenticated " + subject);
        }

        @Override
        public void minted(Exchange exchange, String kid, long nanos)
        {
            seen.add(name + " minted " + kid);
        }

        @Override
        public void forwarded(Exchange exchange)
        {
            seen.add(name + " forwarded");
        }

        @Override
        public void answered(Exchange exchange, int status)
        {
            seen.add(name + " answered " + status);
        }

        @Override
        public void failed(Exchange exchange, Failure failure)
        {
            seen.add(name + " failed " + failure.status());
        }

        @Override
        public void finished(Exchange exchange, int status, long nanos, String outcome)
        {
            seen.add(name + " finished " + status + " " + outcome);
        }
    }

    @Test
    void eachSubscriberSeesEveryEventOnceInOrderAndTheEndLast()
    {
        List<String> seen = new ArrayList<>();
        ExchangeEvents events = ExchangeEvents.all(List.of(new Recorder("log", seen), new Recorder("stats", seen)));

        Exchange exchange = Exchange.begin("GET", "/orders/7", "10.0.0.1", events);
        exchange.authenticated("alice");
        exchange.minted("jti-1", "kid-1", 1_000);
        exchange.forwarded();
        exchange.upstreamAnswered(200);
        exchange.finish(200, false);
        exchange.finish(200, false);

        assertThat(seen).containsExactly("log received GET /orders/7", "stats received GET /orders/7", "log authenticated alice",
            "stats authenticated alice", "log minted kid-1", "stats minted kid-1", "log forwarded", "stats forwarded", "log answered 200",
            "stats answered 200", "log finished 200 null", "stats finished 200 null");
        assertThat(exchange.subject()).isEqualTo("alice");
        assertThat(exchange.jti()).isEqualTo("jti-1");
    }

    @Test
    void aRefusalIsTheFirstFailureAndItsAnswerGoesBackUnchanged()
    {
        List<String> seen = new ArrayList<>();
        Exchange exchange = Exchange.begin("GET", "/admin", "10.0.0.1", new Recorder("stats", seen));
        Answer answer = Answer.empty(403);

        assertThat(exchange.refuse(new Failure(403, "not allowed"), answer)).isSameAs(answer);
        exchange.fail(new Failure(502, "an abort the refusal caused"));
        exchange.finish(403, false);

        assertThat(exchange.failure().status()).isEqualTo(403);
        assertThat(seen).containsExactly("stats received GET /admin", "stats failed 403", "stats finished 403 not allowed");
    }
}
