/**
 * PEM files as operators have them: private keys in the forms openssl, certbot and cert-manager
 * write (PKCS#8, PKCS#1, SEC1), certificate chains and CA bundles. The JDK only.
 */
package io.jwtproxy.pem;
