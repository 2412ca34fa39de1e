// A self-signed certificate for 127.0.0.1 and localhost, made at run time for loopback TLS tests.
#pragma once

#include <string>

namespace weft::test
{

/// A PEM certificate and its private key. The certificate is its own CA (basicConstraints
/// CA:TRUE), so a client that trusts cert_pem as a CA bundle accepts the server; a client using
/// the system's CAs rejects it.
struct self_signed_cert
{
    std::string cert_pem;
    std::string key_pem;
};

/// Generates a fresh P-256 key and a certificate valid for one day with the subject alternative
/// names IP:127.0.0.1 and DNS:localhost.
/// @throws std::runtime_error with OpenSSL's reason when a step fails.
self_signed_cert make_self_signed_cert();

} // namespace weft::test
