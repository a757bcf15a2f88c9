#pragma once
// A minimal blocking HTTP/1.1 client over a POSIX socket, for server tests that must send what
// real clients would not (malformed bodies, missing headers, huge bodies). Test-only.
// Thread safety: free functions; each call uses its own connection.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace gridke::testing {

struct HttpReply {
  int status = 0;  ///< 0: no response (connection failed or closed early)
  std::map<std::string, std::string> headers;  ///< lower-case names
  std::string body;
};

/// Sends one request with "Connection: close" and reads the response until EOF.
inline HttpReply http_call(std::uint16_t port, const std::string& method, const std::string& path,
                           const std::vector<std::pair<std::string, std::string>>& headers = {},
                           const std::string& body = {}, int timeout_s = 20) {
  HttpReply reply;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  timeval tv{timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return reply;
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  std::size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[8192];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
    // Stop once a Content-Length body is complete (the server may keep the socket open).
    auto end = raw.find("\r\n\r\n");
    if (end != std::string::npos) {
      auto lower = raw.substr(0, end);
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto cl = lower.find("content-length:");
      std::size_t want = 0;
      if (cl != std::string::npos) want = std::stoul(lower.substr(cl + 15));
      if (raw.size() >= end + 4 + want) break;
    }
  }
  ::close(fd);
  auto end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || end == std::string::npos) return reply;
  reply.status = std::stoi(raw.substr(9, 3));
  std::size_t pos = raw.find("\r\n") + 2;
  while (pos < end) {
    auto eol = raw.find("\r\n", pos);
    auto line = raw.substr(pos, eol - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(value.begin());
      reply.headers[name] = value;
    }
    pos = eol + 2;
  }
  reply.body = raw.substr(end + 4);
  return reply;
}

}  // namespace gridke::testing
