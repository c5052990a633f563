#!/bin/sh
# Install PracticeBoard for this person (no administrator rights needed):
#   the app        ~/.local/share/PracticeBoard/app/
#   menu entry     ~/.local/share/applications/practiceboard.desktop (with its icon)
#   command line   ~/.local/bin/practiceboard
# Run it from the unpacked tarball:  ./install.sh     Remove with:  ./uninstall.sh
# Installing again replaces the app and keeps every database, backup and setting.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
BASE=$DATA_HOME/PracticeBoard
APP=$BASE/app
BIN_DIR=$HOME/.local/bin
MENU=$DATA_HOME/applications/practiceboard.desktop
ICON=$DATA_HOME/icons/hicolor/scalable/apps/practiceboard.svg

if [ ! -x "$HERE/PracticeBoard/PracticeBoard" ]; then
    echo "install.sh: run it from the unpacked PracticeBoard tarball (PracticeBoard/ is missing)." >&2
    exit 1
fi

mkdir -p "$BASE" "$BIN_DIR" "$(dirname "$MENU")" "$(dirname "$ICON")"
# Copy next to the old app first, then swap, so a failed copy leaves the old one working.
rm -rf "$APP.new"
cp -R "$HERE/PracticeBoard" "$APP.new"
cp "$HERE/uninstall.sh" "$APP.new/uninstall.sh"
chmod 755 "$APP.new/uninstall.sh"
rm -rf "$APP.old"
if [ -d "$APP" ]; then mv "$APP" "$APP.old"; fi
mv "$APP.new" "$APP"
rm -rf "$APP.old"

cp "$HERE/practiceboard.svg" "$ICON"
ln -sf "$APP/PracticeBoard" "$BIN_DIR/practiceboard"
cat > "$MENU" <<DESKTOP
[Desktop Entry]
Type=Application
Name=PracticeBoard
GenericName=Practice task board
Comment=Your practice's task board, approvals and care plans
Exec="$APP/PracticeBoard"
Icon=practiceboard
Terminal=false
Categories=Office;
DESKTOP
chmod 644 "$MENU"
# Menus pick the entry up on their own; this only makes it quicker where it exists.
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$(dirname "$MENU")" || true

echo "PracticeBoard $("$APP/PracticeBoard" --version | sed 's/^practiceboard //') is installed in $APP."
echo "Open it from your applications menu, or run: practiceboard"
case ":$PATH:" in
    *":$BIN_DIR:"*) ;;
    *) echo "($BIN_DIR is not on your PATH; the command line is also $APP/PracticeBoard)" ;;
esac
echo "Your data stays in $BASE (and ~/.config/PracticeBoard); uninstalling keeps it."
