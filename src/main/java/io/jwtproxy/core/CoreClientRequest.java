package io.jwtproxy.core;

import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Enumeration;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

import io.jwtproxy.http.ClientRequest;

/** A core request as the proxy's decisions read it. */
record CoreClientRequest(Request request) implements ClientRequest
{
    @Override
    public String getMethod()
    {
        return request.getMethod();
    }

    @Override
    public String getProtocol()
    {
        return request.getConnectionMetaData().getProtocol();
    }

    @Override
    public String getScheme()
    {
        return request.isSecure() ? "https" : "http";
    }

    @Override
    public String getHeader(String name)
    {
        return request.getHeaders().get(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name)
    {
        return Collections.enumeration(request.getHeaders().getValuesList(name));
    }

    @Override
    public HttpFields getFields()
    {
        return request.getHeaders();
    }

    @Override
    public String getQueryString()
    {
        return request.getHttpURI().getQuery();
    }

    @Override
    public String getRemoteAddr()
    {
        return Request.getRemoteAddr(request);
    }

    @Override
    public String getLocalAddr()
    {
        return Request.getLocalAddr(request);
    }

    @Override
    public String getServerName()
    {
        return Request.getServerName(request);
    }

    @Override
    public int getServerPort()
    {
        return Request.getServerPort(request);
    }

    @Override
    public String getContextPath()
    {
        return "";
    }

    @Override
    public X509Certificate[] certificates()
    {
        return request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData tls ? tls.peerCertificates() : null;
    }

    @Override
    public String getRemoteUser()
    {
        return null;
    }
}
