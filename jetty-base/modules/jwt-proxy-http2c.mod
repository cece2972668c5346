[description]
HTTP/2 in the clear (h2c) as jwt-proxy takes it: Jetty's http2c module, less WebSockets over
HTTP/2 (RFC 8441's extended CONNECT, which jwt-proxy does not tunnel).

[tags]
connector
http2

[depend]
http2c

[xml]
etc/jwt-proxy-http2c.xml
