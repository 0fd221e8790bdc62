// TLS for the one listening port: the certificate and key kinesim serves, either the user's
// (--tls-cert/--tls-key) or a self-signed one for localhost made at start-up.
#pragma once

#include <string>

#include "server/config.h"
#include "storage/status.h"

namespace kinesim::server {

struct TlsFiles {
  std::string cert_path;
  std::string key_path;
  bool generated = false;  // made by kinesim (and printed so clients can trust it)
  std::string temp_dir;    // a directory kinesim made for them, removed at stop; may be empty
};

// The user's files when the config names them; else a self-signed certificate for localhost,
// 127.0.0.1 and ::1, kept beside a database file (and reused from there on the next start), or
// in a fresh temporary directory for an in-memory database.
Result<TlsFiles> prepare_tls_files(const Config& config);

// Removes what prepare_tls_files() put in a temporary directory.
void remove_temporary_tls_files(const TlsFiles& files);

}  // namespace kinesim::server
