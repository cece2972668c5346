package io.jwtproxy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatusServletTest
{
    @Test
    void browsersGetHtml()
    {
        assertThat(StatusServlet.prefersHtml("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")).isTrue();
        assertThat(StatusServlet.prefersHtml("text/*")).isTrue();
    }

    @Test
    void programsGetJson()
    {
        assertThat(StatusServlet.prefersHtml(null)).isFalse();
        assertThat(StatusServlet.prefersHtml("*/*")).isFalse();
        assertThat(StatusServlet.prefersHtml("application/json")).isFalse();
        assertThat(StatusServlet.prefersHtml("text/html;q=0.5, application/json")).isFalse();
        assertThat(StatusServlet.prefersHtml("text/html;q=0, */*")).isFalse();
    }
}
