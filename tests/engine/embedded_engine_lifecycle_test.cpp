// EmbeddedEngine: knowledge-base and knowledge-interaction lifecycle (NOTES §3 items 3–20).
#include "engine_test_support.hpp"

namespace gridke::engine::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST(ValidateKnowledgeBaseId, AcceptsAbsoluteIris) {
  for (const char* id :
       {"https://asdlkasld.com", "mailto:hello", "https://hello", "http://example.org/kb1",
        "urn:uuid:6f1c0c9e-0000-4000-8000-000000000000"}) {
    EXPECT_THAT(validate_knowledge_base_id(id), IsOk()) << id;
  }
}

TEST(ValidateKnowledgeBaseId, RejectsWhatTheKeRejects) {
  EXPECT_THAT(validate_knowledge_base_id(""),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("Knowledge Base ID must be a non-empty URI.")));
  EXPECT_THAT(
      validate_knowledge_base_id("https://"),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("Knowledge base ID must be a valid RDF IRI. 'https://' has no host")));
  EXPECT_THAT(validate_knowledge_base_id("strange characters and spaces | & ^"),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("contains a space or control character at position 8")));
  EXPECT_THAT(validate_knowledge_base_id("/relative.nl"),
              HasError(ErrorCode::invalid_argument, HasSubstr("needs a scheme")));
  EXPECT_THAT(validate_knowledge_base_id("http://example.org/a%zz"),
              HasError(ErrorCode::invalid_argument, HasSubstr("'%' not followed by two hex")));
}

TEST_F(EmbeddedEngineTest, CreatesListsAndDeletesKnowledgeBases) {
  make_kb("kb1");
  make_kb("kb2");
  auto kbs = engine_.knowledge_bases();
  ASSERT_THAT(kbs, IsOk());
  EXPECT_THAT(*kbs, SizeIs(2));
  EXPECT_THAT(engine_.delete_knowledge_base(kb_id("kb1")), IsOk());
  kbs = engine_.knowledge_bases();
  ASSERT_THAT(kbs, IsOk());
  ASSERT_THAT(*kbs, SizeIs(1));
  EXPECT_EQ((*kbs)[0].id, kb_id("kb2"));
  EXPECT_EQ((*kbs)[0].description, "test KB kb2");
}

TEST_F(EmbeddedEngineTest, RejectsDuplicateKnowledgeBaseId) {
  make_kb("kb1");
  KnowledgeBaseInfo info{kb_id("kb1"), "again", "d", std::nullopt, 2};
  EXPECT_THAT(
      engine_.create_knowledge_base(info),
      HasError(ErrorCode::already_exists, HasSubstr("That knowledge base ID is already in use.")));
}

TEST_F(EmbeddedEngineTest, RejectsReasonerLevelOutsideOneToFiveAndBadLeases) {
  KnowledgeBaseInfo info{kb_id("kb1"), "n", "d", std::nullopt, 0};
  EXPECT_THAT(
      engine_.create_knowledge_base(info),
      HasError(ErrorCode::invalid_argument,
               HasSubstr("The reasoner level should be between 1 and 5, inclusive and not 0")));
  info.reasoner_level = 6;
  EXPECT_THAT(engine_.create_knowledge_base(info),
              HasError(ErrorCode::invalid_argument, HasSubstr("and not 6")));
  info.reasoner_level = 2;
  info.lease_renewal_time_s = 10;
  EXPECT_THAT(
      engine_.create_knowledge_base(info),
      HasError(ErrorCode::invalid_argument, HasSubstr("between 30 and 3600 seconds, not 10")));
  info.lease_renewal_time_s = 60;
  EXPECT_THAT(engine_.create_knowledge_base(info), IsOk());
}

TEST_F(EmbeddedEngineTest, DeletingUnknownKnowledgeBaseFails) {
  EXPECT_THAT(
      engine_.delete_knowledge_base(kb_id("nope")),
      HasError(ErrorCode::not_found,
               HasSubstr("Deletion of knowledge base failed, because it could not be found.")));
}

TEST_F(EmbeddedEngineTest, NamedKiGetsIdUnderItsKnowledgeBase) {
  make_kb("kb1");
  const KiId named = ask_ki("kb1", "?a ex:relatedTo ?b .", "ask-rel");
  EXPECT_EQ(named, "http://example.org/kb1/interaction/ask-rel");
  const KiId unnamed = ask_ki("kb1", "?a ex:relatedTo ?b .");
  EXPECT_THAT(unnamed, ::testing::MatchesRegex(
                           "http://example.org/kb1/interaction/"
                           "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  auto kis = engine_.knowledge_interactions(kb_id("kb1"));
  ASSERT_THAT(kis, IsOk());
  ASSERT_THAT(*kis, SizeIs(2));
  EXPECT_EQ((*kis)[0].id, named);
  EXPECT_EQ((*kis)[0].definition.name, "ask-rel");
}

TEST_F(EmbeddedEngineTest, RegisteringForUnknownKnowledgeBaseFails) {
  EXPECT_THAT(engine_.register_ki(kb_id("ghost"), ki::KnowledgeInteraction::ask(gp("?a ex:b ?c .")),
                                  Handler{}),
              HasError(ErrorCode::not_found,
                       HasSubstr("Could not add knowledge interaction, because the given knowledge "
                                 "base ID (http://example.org/ghost) is unknown.")));
}

TEST_F(EmbeddedEngineTest, RejectsDuplicateKiNameInOneKnowledgeBase) {
  make_kb("kb1");
  make_kb("kb2");
  ask_ki("kb1", "?a ex:b ?c .", "same");
  EXPECT_THAT(
      engine_.register_ki(kb_id("kb1"), ki::KnowledgeInteraction::ask(gp("?x ex:y ?z ."), "same"),
                          Handler{}),
      HasError(ErrorCode::already_exists,
               HasSubstr("The Knowledge Interaction with URI "
                         "'http://example.org/kb1/interaction/same' should not be already "
                         "registered.")));
  ask_ki("kb2", "?a ex:b ?c .", "same");  // another KB may use the name
}

TEST_F(EmbeddedEngineTest, RejectsInvalidKiDefinitionsAndHandlerMisuse) {
  make_kb("kb1");
  EXPECT_THAT(
      engine_.register_ki(
          kb_id("kb1"), ki::KnowledgeInteraction::ask(gp("?a ex:b ?c ."), "no spaces"), Handler{}),
      HasError(ErrorCode::invalid_argument, HasSubstr("'no spaces' is invalid")));
  EXPECT_THAT(engine_.register_ki(kb_id("kb1"),
                                  ki::KnowledgeInteraction::answer(gp("?a ex:b ?c .")), Handler{}),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("AnswerKnowledgeInteraction needs a handler")));
  Handler h = [](const HandleRequest&, Reply reply) { reply(BindingSet{}); };
  EXPECT_THAT(
      engine_.register_ki(kb_id("kb1"), ki::KnowledgeInteraction::ask(gp("?a ex:b ?c .")), h),
      HasError(ErrorCode::invalid_argument, HasSubstr("AskKnowledgeInteraction takes no handler")));
}

TEST_F(EmbeddedEngineTest, UnregisteredKiCannotBeActivatedAndNewOnesWorkAtOnce) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  answer_ki("kb2", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}});
  EXPECT_THAT(ask("kb1", asking).bindings, SizeIs(1));
  ASSERT_THAT(engine_.unregister_ki(kb_id("kb1"), asking), IsOk());
  EXPECT_THAT(engine_.ask(kb_id("kb1"), asking),
              HasError(ErrorCode::not_found,
                       HasSubstr("Knowledge Interaction not found, because its ID is unknown.")));
  const KiId again = ask_ki("kb1", "?a ex:b ?c .");
  EXPECT_THAT(ask("kb1", again).bindings, SizeIs(1));
}

TEST_F(EmbeddedEngineTest, UnregisteringUnknownKiOrKbFails) {
  make_kb("kb1");
  EXPECT_THAT(engine_.unregister_ki(kb_id("kb1"), kb_id("kb1") + "/interaction/none"),
              HasError(ErrorCode::not_found,
                       HasSubstr("Knowledge base found, but the given knowledge interaction "
                                 "knowledge base ID is unknown.")));
  EXPECT_THAT(
      engine_.unregister_ki(kb_id("none"), "x"),
      HasError(ErrorCode::not_found,
               HasSubstr("Knowledge base not found, because its knowledge base ID is unknown.")));
  EXPECT_THAT(engine_.knowledge_interactions(kb_id("none")),
              HasError(ErrorCode::not_found, HasSubstr("Knowledge base not found")));
}

TEST_F(EmbeddedEngineTest, ActivationChecksKnowledgeBaseKiAndKind) {
  make_kb("kb1");
  const KiId posting = post_ki("kb1", "?a ex:b ?c .");
  EXPECT_THAT(engine_.ask(kb_id("kb1"), posting),
              HasError(ErrorCode::invalid_argument,
                       HasSubstr("Given Knowledge Interaction ID should have type "
                                 "AskKnowledgeInteraction and not PostKnowledgeInteraction.")));
  EXPECT_THAT(engine_.post(kb_id("kb2"), posting, {}),
              HasError(ErrorCode::not_found,
                       HasSubstr("Smart connector not found, because its ID is unknown.")));
  EXPECT_THAT(engine_.post(kb_id("kb1"), "http://example.org/kb1/interaction/x", {}),
              HasError(ErrorCode::not_found,
                       HasSubstr("Knowledge Interaction not found, because its ID is unknown.")));
}

TEST_F(EmbeddedEngineTest, PlansAreCachedPerNetworkVersion) {
  make_kb("kb1");
  make_kb("kb2");
  const KiId asking = ask_ki("kb1", "?a ex:b ?c .");
  answer_ki("kb2", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("1")}, {"y", iri("2")}}});
  ask("kb1", asking);
  const auto built = engine_.plans_built();
  ask("kb1", asking);
  ask("kb1", asking);
  EXPECT_EQ(engine_.plans_built(), built);
  const auto version = engine_.network_version();
  make_kb("kb3");
  answer_ki("kb3", "?x ex:b ?y .", BindingSet{Binding{{"x", iri("3")}, {"y", iri("4")}}});
  EXPECT_GT(engine_.network_version(), version);
  EXPECT_THAT(ask("kb1", asking).bindings, SizeIs(2));
  EXPECT_EQ(engine_.plans_built(), built + 1);
}

}  // namespace
}  // namespace gridke::engine::testing
