#include "support/tls_cert.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace weft::test
{
namespace
{

template <auto Free>
struct deleter
{
    template <class T>
    void operator()(T* p) const noexcept
    {
        Free(p);
    }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION_free>>;

[[noreturn]] void fail(char const* step)
{
    char buf[256] = "unknown error";
    if (auto e = ERR_get_error())
        ERR_error_string_n(e, buf, sizeof buf);
    throw std::runtime_error(std::string("make_self_signed_cert: ") + step + ": " + buf);
}

void add_ext(X509* cert, int nid, char const* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    ext_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || !X509_add_ext(cert, ext.get(), -1))
        fail(value);
}

template <class Write>
std::string to_pem(Write write)
{
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio || !write(bio.get()))
        fail("PEM_write");
    char* data = nullptr;
    long const n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

} // namespace

self_signed_cert make_self_signed_cert()
{
    pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key)
        fail("EVP_PKEY_Q_keygen");

    x509_ptr cert(X509_new());
    if (!cert)
        fail("X509_new");
    X509_set_version(cert.get(), 2); // v3, for the extensions
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f; // positive
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());

    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("weft tests"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("127.0.0.1"), -1, -1,
                               0);
    X509_set_issuer_name(cert.get(), name);

    add_ext(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_ext(cert.get(), NID_ext_key_usage, "serverAuth");
    add_ext(cert.get(), NID_subject_key_identifier, "hash");
    add_ext(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");

    if (!X509_sign(cert.get(), key.get(), EVP_sha256()))
        fail("X509_sign");

    self_signed_cert out;
    out.cert_pem = to_pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
    out.key_pem =
        to_pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    return out;
}

} // namespace weft::test
