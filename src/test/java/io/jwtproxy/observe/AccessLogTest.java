package io.jwtproxy.observe;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogTest
{
    @Test
    void nothingThatBreaksOrHidesInALineIsWrittenAsItIs()
    {
        assertThat(AccessLog.escaped("GET /x 200 sub=alice\u2028GET /admin 200 sub=root")).isEqualTo("GET /x 200 sub=alice\\u2028GET /admin 200 sub=root");
        assertThat(AccessLog.escaped("a\u2029b\u0085c\u007fd\re\nf\u202eg\u0000")).isEqualTo("a\\u2029b\\u0085c\\u007Fd\\u000De\\u000Af\\u202Eg\\u0000");
        assertThat(AccessLog.escaped("{\"sub\":\"Jos\u00e9 \u6771\u4eac\"}")).as("printable text, any script, stays").isEqualTo("{\"sub\":\"Jos\u00e9 \u6771\u4eac\"}");
    }
}
