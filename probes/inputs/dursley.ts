/**
 * Seed 002's test text (its "Induction head" section): the first paragraph of Harry Potter and the
 * Philosopher's Stone with its first sentence repeated at the end, so an induction head has a sentence to copy
 * from. Verbatim as the seed prints it (ASCII, "Mr and Mrs" without full stops). The page's inspect and compare
 * views open with it, and `smallscope reproduce seed002` draws its attention maps on it.
 */
export const DURSLEY_PARAGRAPH =
  'Mr and Mrs Dursley, of number four, Privet Drive, were proud to say that they were perfectly normal, ' +
  "thank you very much. They were the last people you'd expect to be involved in anything strange or " +
  "mysterious, because they just didn't hold with such nonsense. Mr and Mrs Dursley, of number four, " +
  'Privet Drive, were proud to say that they were perfectly normal, thank you very much.';
