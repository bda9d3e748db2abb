#include "serve/http_server.h"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <gtest/gtest.h>

namespace forest::http {
namespace {

namespace bhttp = boost::beast::http;

TEST(StatusForParseError, EveryMalformedRequestGetsA4xx) {
  EXPECT_EQ(StatusForParseError(bhttp::error::header_limit), 431);
  EXPECT_EQ(StatusForParseError(bhttp::error::body_limit), 413);
  for (auto e : {bhttp::error::bad_content_length, bhttp::error::bad_method, bhttp::error::bad_target,
                 bhttp::error::bad_version, bhttp::error::bad_field, bhttp::error::bad_value,
                 bhttp::error::bad_line_ending, bhttp::error::bad_chunk, bhttp::error::bad_transfer_encoding,
                 bhttp::error::multiple_content_length}) {
    EXPECT_EQ(StatusForParseError(e), 400) << bhttp::make_error_code(e).message();
  }
}

TEST(StatusForParseError, NobodyToAnswer) {
  EXPECT_EQ(StatusForParseError(bhttp::error::end_of_stream), 0);
  EXPECT_EQ(StatusForParseError(bhttp::error::partial_message), 0);
  EXPECT_EQ(StatusForParseError(boost::asio::error::connection_reset), 0);
}

}  // namespace
}  // namespace forest::http
