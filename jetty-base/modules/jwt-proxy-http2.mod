[description]
HTTP/2 over TLS as jwt-proxy takes it: Jetty's http2 module, less WebSockets over HTTP/2
(RFC 8441's extended CONNECT, which jwt-proxy does not tunnel). Browsers then open their
WebSockets over HTTP/1.1, which it does.

[tags]
connector
http2

[depend]
http2

[xml]
etc/jwt-proxy-http2.xml
