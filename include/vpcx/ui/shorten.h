/*
 * shorten: fits a set of names (subnet Names, service names, IDs) into a
 * column without making two of them look alike. Cutting each name on its own
 * turns prod-app-a and prod-app-b into the same prod-ap…; here a name that
 * must be cut keeps a head, an ellipsis and, when the head alone would match
 * another name of the set, the shortest tail that tells it apart
 * (prod-…a, prod-…b).
 *
 * A short form head…tail is unambiguous when no other name of the set starts
 * with head and ends with tail. When no form within the width is (the names
 * differ only in the middle, or the width is tiny), the plain cut is used.
 *
 * Widths count code points (names are ASCII in practice; the drawing widget
 * measures and clips again). Pure: no curses.
 */
#ifndef VPCX_UI_SHORTEN_H
#define VPCX_UI_SHORTEN_H

#include <stddef.h>

/*
 * Fills out[i] (allocated, caller frees each) with names[i] shortened to at
 * most width code points, ellipsis (one code point, e.g. "…" or "~")
 * marking the cut. NULL names are treated as "". width < 1 gives "".
 */
void shorten_names(const char *const *names, size_t n, int width, const char *ellipsis, char **out);

/* The same for one name among others: out is allocated. */
char *shorten_one(const char *const *names, size_t n, size_t which, int width,
                  const char *ellipsis);

#endif
