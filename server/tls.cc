#include "server/tls.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

namespace kinesim::server {
namespace {

namespace fs = std::filesystem;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

Status tls_error(const std::string& what) {
  return Status::Error(StatusCode::kInvalid, "cannot make a TLS certificate: " + what);
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Writes a PEM file readable by its owner only (the key) or by everyone (the certificate).
template <typename Write>
bool write_pem(const fs::path& path, mode_t mode, Write write) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  ::fchmod(fileno(f), mode);
  const bool ok = write(f) == 1;
  return std::fclose(f) == 0 && ok;
}

// A P-256 key and a self-signed certificate for the loopback names, valid for ten years.
Status generate(const fs::path& cert_path, const fs::path& key_path) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return tls_error("key generation failed");
  CertPtr cert(X509_new());
  if (!cert) return tls_error("out of memory");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("kinesim"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  // Its own trust anchor: clients pass this file as their CA bundle.
  if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(cert.get(), NID_subject_alt_name,
                     "DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash")) {
    return tls_error("extensions refused");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return tls_error("signing failed");
  if (!write_pem(key_path, 0600, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      })) {
    return tls_error("cannot write " + key_path.string());
  }
  if (!write_pem(cert_path, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); })) {
    return tls_error("cannot write " + cert_path.string());
  }
  return Status::Ok();
}

}  // namespace

Result<TlsFiles> prepare_tls_files(const Config& config) {
  TlsFiles files;
  if (!config.tls_cert.empty() || !config.tls_key.empty()) {
    if (config.tls_cert.empty() || config.tls_key.empty()) {
      return Status::Error(StatusCode::kInvalid, "--tls-cert and --tls-key go together");
    }
    files.cert_path = config.tls_cert;
    files.key_path = config.tls_key;
    return files;
  }
  files.generated = true;
  fs::path dir;
  if (config.db != ":memory:" && !config.db.empty()) {
    dir = fs::path(config.db).parent_path();
    if (dir.empty()) dir = ".";
  } else {
    std::string templ = (fs::temp_directory_path() / "kinesim-tls-XXXXXX").string();
    if (!::mkdtemp(templ.data())) return tls_error("cannot make a temporary directory");
    dir = templ;
    files.temp_dir = templ;
  }
  const fs::path cert = dir / "kinesim-cert.pem";
  const fs::path key = dir / "kinesim-key.pem";
  files.cert_path = cert.string();
  files.key_path = key.string();
  std::error_code ec;
  // Beside a database the pair outlives restarts, so a client that trusts it keeps working.
  if (files.temp_dir.empty() && fs::exists(cert, ec) && fs::exists(key, ec)) return files;
  fs::create_directories(dir, ec);
  if (Status s = generate(cert, key); !s.ok()) return s;
  return files;
}

void remove_temporary_tls_files(const TlsFiles& files) {
  if (files.temp_dir.empty()) return;
  std::error_code ec;
  fs::remove_all(files.temp_dir, ec);
}

}  // namespace kinesim::server
