#pragma once
// Names shared by the Boost.Beast server and client of transport.hpp. Private to core/http.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/rate_policy.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace gridke::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

/// Each connection's executor: a strand of the I/O context, by its concrete type. beast::tcp_stream
/// names it as any_io_executor, and then every completion of every connection goes through the
/// type-erased executor (a copy, a prefer, an indirect call): 3 % of the server's CPU under the
/// issue-11 load (docs/performance.md, "Executors").
using ConnExecutor = net::strand<net::io_context::executor_type>;
/// What an acceptor bound to ConnExecutor hands over.
using ConnSocket = tcp::socket::rebind_executor<ConnExecutor>::other;
/// A plain connection, with timeouts (beast::tcp_stream with ConnExecutor).
using TcpStream = beast::basic_stream<tcp, ConnExecutor, beast::unlimited_rate_policy>;
/// A TLS connection over TcpStream.
using TlsStream = beast::ssl_stream<TcpStream>;

/// The TCP stream under a plain (TcpStream) or TLS (TlsStream) stream, where timeouts are set
/// and the socket is closed.
template <class Stream>
TcpStream& lowest_tcp(Stream& s) {
  return beast::get_lowest_layer(s);
}

}  // namespace gridke::http::detail
