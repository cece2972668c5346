package io.jwtproxy.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MediaTypesTest
{
    @Test
    void browsersGetHtml()
    {
        assertThat(MediaTypes.prefersHtml("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")).isTrue();
        assertThat(MediaTypes.prefersHtml("text/*")).isTrue();
    }

    @Test
    void programsGetJson()
    {
        assertThat(MediaTypes.prefersHtml(null)).isFalse();
        assertThat(MediaTypes.prefersHtml("*/*")).isFalse();
        assertThat(MediaTypes.prefersHtml("application/json")).isFalse();
        assertThat(MediaTypes.prefersHtml("text/html;q=0.5, application/json")).isFalse();
        assertThat(MediaTypes.prefersHtml("text/html;q=0, */*")).isFalse();
    }
}
