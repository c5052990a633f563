#!/bin/sh
# Remove PracticeBoard for this person: the app, its menu entry, icon and command.
# Keeps the data: databases, backups and reports in ~/.local/share/PracticeBoard,
# settings and audit keys in ~/.config/PracticeBoard.
set -eu

DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
CONFIG_HOME=${XDG_CONFIG_HOME:-$HOME/.config}
BASE=$DATA_HOME/PracticeBoard
APP=$BASE/app
BIN=$HOME/.local/bin/practiceboard

rm -rf "$APP" "$APP.new" "$APP.old"
rm -f "$DATA_HOME/applications/practiceboard.desktop"
rm -f "$DATA_HOME/icons/hicolor/scalable/apps/practiceboard.svg"
rm -f "$CONFIG_HOME/autostart/practiceboard.desktop"  # "start at sign-in", if it was on
if [ -L "$BIN" ]; then rm -f "$BIN"; fi
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA_HOME/applications" || true

echo "PracticeBoard is removed."
echo "Your data is kept: $BASE (databases, backups, reports) and $CONFIG_HOME/PracticeBoard (settings, audit keys)."
echo "Delete those folders yourself only when you are sure you have a backup you no longer need."
