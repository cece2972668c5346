package io.jwtproxy;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Enumeration;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

import io.jwtproxy.exchange.Exchange;
import io.jwtproxy.http.Answer;
import io.jwtproxy.http.ClientRequest;
import io.jwtproxy.pipeline.FrontDoor;

/** A servlet request as the proxy's decisions read it, and the writing of their answers to a servlet response. */
record ServletClientRequest(HttpServletRequest request) implements ClientRequest
{
    /** Where the Servlet API puts the client's certificate chain. */
    private static final String CERTIFICATES_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    /**
     * Takes a request through the {@link FrontDoor}; what the proxy answers itself is written here, and its exchange finished.
     *
     * @return the request admitted and authenticated, its exchange attached; null when it has been answered
     */
    static FrontDoor.Authenticated admit(FrontDoor frontDoor, ClientRequest request, HttpServletRequest clientRequest,
                                         HttpServletResponse proxyResponse) throws IOException
    {
        FrontDoor.Step step = frontDoor.enter(request, clientRequest.getRequestURI());
        if (step instanceof FrontDoor.Admitted admitted)
        {
            Exchange.attach(clientRequest, admitted.exchange());
            step = frontDoor.authenticate(request, admitted);
        }
        if (step instanceof FrontDoor.Answered answered)
        {
            if (answered.exchange() != null)
                Exchange.attach(clientRequest, answered.exchange());
            send(clientRequest, proxyResponse, answered.answer());
            if (answered.exchange() != null)
                answered.exchange().finish(answered.answer().status(), false);
            return null;
        }
        return (FrontDoor.Authenticated)step;
    }

    @Override
    public String getMethod()
    {
        return request.getMethod();
    }

    @Override
    public String getProtocol()
    {
        return request.getProtocol();
    }

    @Override
    public String getScheme()
    {
        return request.getScheme();
    }

    @Override
    public String getHeader(String name)
    {
        return request.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name)
    {
        return request.getHeaders(name);
    }

    @Override
    public HttpFields getFields()
    {
        HttpFields.Mutable fields = HttpFields.build();
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); )
        {
            String name = names.nextElement();
            for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); )
            {
                String value = values.nextElement();
                if (value != null)
                    fields.add(name, value);
            }
        }
        return fields;
    }

    @Override
    public String getQueryString()
    {
        return request.getQueryString();
    }

    @Override
    public String getRemoteAddr()
    {
        return request.getRemoteAddr();
    }

    @Override
    public String getLocalAddr()
    {
        return request.getLocalAddr();
    }

    @Override
    public String getServerName()
    {
        return request.getServerName();
    }

    @Override
    public int getServerPort()
    {
        return request.getServerPort();
    }

    @Override
    public String getContextPath()
    {
        return request.getContextPath();
    }

    @Override
    public X509Certificate[] certificates()
    {
        return request.getAttribute(CERTIFICATES_ATTRIBUTE) instanceof X509Certificate[] chain ? chain : null;
    }

    @Override
    public String getRemoteUser()
    {
        return request.getRemoteUser();
    }

    /** Writes an answer the proxy decided on: its status, fields and body (none to a HEAD). */
    static void send(HttpServletRequest clientRequest, HttpServletResponse proxyResponse, Answer answer) throws IOException
    {
        proxyResponse.setStatus(answer.status());
        for (HttpField field : answer.fields())
        {
            if (field.getHeader() == HttpHeader.CONTENT_TYPE)
                proxyResponse.setContentType(field.getValue());
            else
                proxyResponse.addHeader(field.getName(), field.getValue());
        }
        // RFC 9110 §8.6: a 304's Content-Length would be the representation's; a 204 has none.
        if (answer.status() != HttpServletResponse.SC_NOT_MODIFIED && answer.status() != HttpServletResponse.SC_NO_CONTENT)
            proxyResponse.setContentLength(answer.body().length);
        if (answer.body().length > 0 && !"HEAD".equals(clientRequest.getMethod()))
            proxyResponse.getOutputStream().write(answer.body());
    }
}
