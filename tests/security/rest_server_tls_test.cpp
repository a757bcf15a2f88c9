// RestServer over https and RemoteEngine as its client, with test certificates made by the
// openssl command line: server authentication, wrong CAs, mutual TLS, unusable files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/engine/rest_server.hpp"
#include "gridke_matchers.hpp"
#include "security_test_kbs.hpp"
#include "test_certs.hpp"

namespace gridke::engine {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using security_test::kb1;
using security_test::kb_info;

class RestServerTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new testing::TestCertificates(testing::make_test_certificates("tls"));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(certs_->dir);
    delete certs_;
  }
  void SetUp() override { ASSERT_EQ(certs_->error, "") << certs_->error; }

  std::unique_ptr<RestServer> start(bool mutual) {
    RestServerOptions options;
    options.port = 0;
    options.tls =
        TlsOptions{certs_->server_cert, certs_->server_key, mutual ? certs_->ca : std::string()};
    auto server = RestServer::start(engine_, options);
    EXPECT_THAT(server, IsOk());
    return server ? std::move(*server) : nullptr;
  }
  RemoteEngineOptions client(const RestServer& server) {
    RemoteEngineOptions o;
    o.base_url = server.base_url();
    o.call_timeout = std::chrono::seconds(5);
    o.token_from_environment = false;
    return o;
  }

  static testing::TestCertificates* certs_;
  EmbeddedEngine engine_;
};

testing::TestCertificates* RestServerTlsTest::certs_ = nullptr;

TEST_F(RestServerTlsTest, ServesHttpsToClientsThatTrustItsCa) {
  auto server = start(false);
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(server->base_url(), StartsWith("https://127.0.0.1:"));
  auto options = client(*server);
  options.ca_file = certs_->ca;
  auto remote = RemoteEngine::connect(options);
  ASSERT_THAT(remote, IsOk());
  ASSERT_THAT((*remote)->create_knowledge_base(kb_info(kb1)), IsOk());
  auto listed = (*remote)->knowledge_bases();
  ASSERT_THAT(listed, IsOk());
  EXPECT_EQ(listed->size(), 1u);
}

TEST_F(RestServerTlsTest, ClientsWithAnotherCaRefuseTheServer) {
  auto server = start(false);
  ASSERT_NE(server, nullptr);
  auto options = client(*server);
  options.ca_file = certs_->other_ca;
  auto remote = RemoteEngine::connect(options);
  ASSERT_THAT(remote, IsOk());
  EXPECT_THAT((*remote)->knowledge_bases(),
              HasError(ErrorCode::unavailable,
                       AllOf(HasSubstr("GET /sc: TLS handshake failed: certificate verify failed"),
                             HasSubstr("(TLS: is the server's certificate signed by the CA in "
                                       "ca_file"))));
  EXPECT_TRUE(engine_.knowledge_bases()->empty());
}

TEST_F(RestServerTlsTest, PlainHttpClientsAreNotServed) {
  auto server = start(false);
  ASSERT_NE(server, nullptr);
  auto options = client(*server);
  options.base_url = "http://127.0.0.1:" + std::to_string(server->port()) + "/rest";
  auto remote = RemoteEngine::connect(options);
  ASSERT_THAT(remote, IsOk());
  EXPECT_THAT((*remote)->create_knowledge_base(kb_info(kb1)),
              HasError(ErrorCode::unavailable, HasSubstr("POST /sc")));
  EXPECT_TRUE(engine_.knowledge_bases()->empty());
}

TEST_F(RestServerTlsTest, MutualTlsAdmitsOnlyClientsWithACertificateFromTheClientCa) {
  auto server = start(true);
  ASSERT_NE(server, nullptr);
  auto options = client(*server);
  options.ca_file = certs_->ca;
  auto anonymous = RemoteEngine::connect(options);
  ASSERT_THAT(anonymous, IsOk());
  EXPECT_THAT((*anonymous)->knowledge_bases(),
              HasError(ErrorCode::unavailable, HasSubstr("GET /sc")));

  options.client_certificate_file = certs_->other_client_cert;
  options.client_private_key_file = certs_->other_client_key;
  auto intruder = RemoteEngine::connect(options);
  ASSERT_THAT(intruder, IsOk());
  EXPECT_THAT((*intruder)->knowledge_bases(),
              HasError(ErrorCode::unavailable, HasSubstr("GET /sc")));

  options.client_certificate_file = certs_->client_cert;
  options.client_private_key_file = certs_->client_key;
  auto member = RemoteEngine::connect(options);
  ASSERT_THAT(member, IsOk());
  EXPECT_THAT((*member)->create_knowledge_base(kb_info(kb1)), IsOk());
}

TEST_F(RestServerTlsTest, RejectsUnusableServerFilesNamingThem) {
  RestServerOptions options;
  options.port = 0;
  options.tls = TlsOptions{certs_->dir.string() + "/missing.pem", certs_->server_key, {}};
  EXPECT_THAT(RestServer::start(engine_, options),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("TLS certificate file " + certs_->dir.string() + "/missing.pem")));
  options.tls = TlsOptions{certs_->server_cert, certs_->client_key, {}};
  EXPECT_THAT(RestServer::start(engine_, options),
              HasError(ErrorCode::invalid_argument, HasSubstr("does not match the certificate")));
  options.tls = TlsOptions{certs_->server_cert, certs_->server_key, certs_->server_key};
  EXPECT_THAT(RestServer::start(engine_, options),
              HasError(ErrorCode::invalid_argument, HasSubstr("TLS CA file")));
  options.tls = TlsOptions{certs_->server_cert, "", {}};
  EXPECT_THAT(RestServer::start(engine_, options),
              HasError(ErrorCode::invalid_argument, HasSubstr("both a certificate file")));
}

TEST_F(RestServerTlsTest, RejectsUnusableClientOptions) {
  RemoteEngineOptions options;
  options.base_url = "https://127.0.0.1:1/rest";
  options.ca_file = certs_->dir.string() + "/nope.pem";
  EXPECT_THAT(RemoteEngine::connect(options),
              HasError(ErrorCode::invalid_argument, HasSubstr("TLS CA file")));
  options.ca_file = certs_->ca;
  options.client_certificate_file = certs_->client_cert;
  EXPECT_THAT(RemoteEngine::connect(options),
              HasError(ErrorCode::invalid_argument, HasSubstr("go together")));
  options.client_certificate_file.clear();
  options.base_url = "http://127.0.0.1:1/rest";
  EXPECT_THAT(RemoteEngine::connect(options),
              HasError(ErrorCode::invalid_argument, HasSubstr("is not https")));
}

}  // namespace
}  // namespace gridke::engine
