#pragma once
// Test certificates made at test time with the `openssl` command line (no private keys are
// committed): a CA, a server certificate for 127.0.0.1/localhost signed by it, a client
// certificate signed by it, and a second, unrelated CA. Test-only.
// Thread safety: make_test_certificates() writes into its own directory; call once per test.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace gridke::testing {

struct TestCertificates {
  std::filesystem::path dir;
  std::string ca, server_cert, server_key, client_cert, client_key, other_ca, other_client_cert,
      other_client_key;
  std::string error;  ///< non-empty when openssl failed (the test should fail with it)
};

inline TestCertificates make_test_certificates(const std::string& name) {
  TestCertificates c;
  c.dir = std::filesystem::temp_directory_path() /
          ("gridke-certs-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(c.dir);
  std::filesystem::create_directories(c.dir);
  const std::string d = c.dir.string() + "/";
  {
    std::ofstream ext(d + "server.ext");
    ext << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  }
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
  const std::string quiet = " >>" + d + "openssl.log 2>&1";
  const std::string commands[] = {
      "openssl req -x509" + ec + "-keyout " + d + "ca.key -out " + d +
          "ca.pem -days 2 -subj /CN=GridKE-Test-CA",
      "openssl req -x509" + ec + "-keyout " + d + "other-ca.key -out " + d +
          "other-ca.pem -days 2 -subj /CN=Other-Test-CA",
      "openssl req" + ec + "-keyout " + d + "server.key -out " + d +
          "server.csr -subj /CN=127.0.0.1",
      "openssl x509 -req -in " + d + "server.csr -CA " + d + "ca.pem -CAkey " + d +
          "ca.key -CAcreateserial -out " + d + "server.pem -days 2 -extfile " + d + "server.ext",
      "openssl req" + ec + "-keyout " + d + "client.key -out " + d +
          "client.csr -subj /CN=gridke-client",
      "openssl x509 -req -in " + d + "client.csr -CA " + d + "ca.pem -CAkey " + d +
          "ca.key -CAcreateserial -out " + d + "client.pem -days 2",
      "openssl req" + ec + "-keyout " + d + "other-client.key -out " + d +
          "other-client.csr -subj /CN=intruder",
      "openssl x509 -req -in " + d + "other-client.csr -CA " + d + "other-ca.pem -CAkey " + d +
          "other-ca.key -CAcreateserial -out " + d + "other-client.pem -days 2",
  };
  for (const auto& cmd : commands) {
    if (std::system((cmd + quiet).c_str()) != 0) {
      c.error = "openssl failed: " + cmd + " (see " + d + "openssl.log)";
      return c;
    }
  }
  c.ca = d + "ca.pem";
  c.server_cert = d + "server.pem";
  c.server_key = d + "server.key";
  c.client_cert = d + "client.pem";
  c.client_key = d + "client.key";
  c.other_ca = d + "other-ca.pem";
  c.other_client_cert = d + "other-client.pem";
  c.other_client_key = d + "other-client.key";
  return c;
}

}  // namespace gridke::testing
