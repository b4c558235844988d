import type { Metadata } from 'next';
import { CreateRoom } from '../../src/rooms/CreateRoom';

export const metadata: Metadata = { title: 'bpfplay — workshop rooms' };

export default function RoomsPage() {
  return <CreateRoom />;
}
