#pragma once
// Names shared by the Boost.Beast server and client of transport.hpp. Private to core/http.

#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace gridke::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

/// The TCP stream under a plain (beast::tcp_stream) or TLS (ssl_stream<tcp_stream>) stream,
/// where timeouts are set and the socket is closed.
template <class Stream>
beast::tcp_stream& lowest_tcp(Stream& s) {
  return beast::get_lowest_layer(s);
}

}  // namespace gridke::http::detail
