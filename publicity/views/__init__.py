"""Views of publicity/, one module per sub-area: `notice` (the working list, composing,
approving, withdrawing, correcting), `opinion` (the moderation queue), `public` (the public pages
under /public/, no login, cached; the feed and the JSON), `print` (承诺书, 承诺卡, the posters
and QR codes for the notice board). Each move is one POST-only view: parse, one service call, a
message, a redirect."""
